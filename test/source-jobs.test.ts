// Source runs as a periodic job (the lifecycle job registry), on SQLite and PostgreSQL (pg-boss): one pass runs
// every source to its end in the system's name, a second pass imports nothing twice, and a source still running
// (a TLS scan waiting on a silent server) is skipped rather than started twice.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from './harness/databases.ts';
import { selfSignedCertificate, type Workdir, workdir } from './harness/openssl.ts';
import { freePort } from './harness/slapd.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';
import { startSilentTcp } from './harness/tls-servers.ts';

describe.each(testDialects())('source runs as a job on %s', (dialect) => {
  let t: RunningTarsier;
  let w: Workdir;
  let silent: Awaited<ReturnType<typeof startSilentTcp>>;
  const ids: Record<string, number> = {};

  const addSource = async (name: string, plugin: string, options: object) => {
    const r = await t.api('POST', '/api/v1/sources', { name, plugin, options });
    expect(r.status, r.text).toBe(201);
    ids[name] = r.json.id;
  };
  const runJob = async () => {
    const r = await t.api('POST', '/api/v1/jobs/source-runs/run');
    expect(r.status, r.text).toBe(200);
    expect(r.json.status, r.text).toBe('succeeded');
    return r.json.result;
  };
  const runsOf = async (name: string) => (await t.api('GET', `/api/v1/sources/${ids[name]}/runs`)).json.items;

  beforeAll(async () => {
    t = await startTarsier({ dialect });
    w = workdir();
    silent = await startSilentTcp();
    const dir = path.join(w.dir, 'certs');
    fs.mkdirSync(dir);
    selfSignedCertificate(w, 'found', { subject: '/CN=found.example.com', days: 30 });
    fs.copyFileSync(path.join(w.dir, 'found.pem'), path.join(dir, 'found.pem'));
    await addSource('files', 'directory', { paths: [dir] });
    await addSource('refused', 'tls', { targets: [`127.0.0.1:${await freePort()}`] });
  });
  afterAll(async () => {
    await silent?.stop();
    await t?.stop();
    w?.remove();
  });

  it('is a registered job with a daily default interval', async () => {
    const r = await t.api('GET', '/api/v1/jobs/source-runs');
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ name: 'source-runs', intervalSeconds: 86_400 });
  });

  it('runs every source to its end in the system name; a second pass imports nothing twice', async () => {
    expect(await runJob()).toEqual({ sources: 2, finished: 2, failed: 0, skipped: 0, certificatesNew: 1 });
    const [files] = await runsOf('files');
    expect(files).toMatchObject({ status: 'finished', itemsDone: 1, certificatesNew: 1, startedBy: 'system' });
    const [refused] = await runsOf('refused');
    expect(refused).toMatchObject({ status: 'finished', itemsDone: 1, itemsFailed: 1, startedBy: 'system' });
    expect(await runJob()).toEqual({ sources: 2, finished: 2, failed: 0, skipped: 0, certificatesNew: 0 });
    expect(await runsOf('files')).toHaveLength(2);
  });

  it('skips a source that is still running', async () => {
    // The silent server holds the handshake until it is stopped below, whatever the time the job takes.
    await addSource('slow', 'tls', { targets: [`127.0.0.1:${silent.port}`], timeoutMs: 60_000 });
    const started = await t.api('POST', `/api/v1/sources/${ids.slow}/run`, {});
    expect(started.status, started.text).toBe(202);
    expect(await runJob()).toMatchObject({ sources: 3, finished: 2, skipped: 1 });
    const slowRuns = await runsOf('slow');
    expect(slowRuns).toHaveLength(1);
    expect(slowRuns[0].startedBy).not.toBe('system');
    await silent.stop();
    let status = 'running';
    while (status === 'running') {
      await new Promise((r) => setTimeout(r, 50));
      status = (await t.api('GET', `/api/v1/sources/runs/${started.json.id}`)).json.status;
    }
    expect(status).toBe('finished');
  });
});
