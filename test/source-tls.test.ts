// The TLS source end to end: a real nginx and Node TLS servers on 127.0.0.1 presenting good, expired, not yet
// valid, self-signed, weak SHA-1 and mismatched certificates; one run imports each certificate once and flags
// each problem, while refused, unresolvable, link-local and non-TLS targets are items with errors. A second run
// sees a certificate change and a server disappear. Fingerprints are checked against `openssl s_client`.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaPair } from './harness/authorities.ts';
import { runTarsier } from './harness/cli.ts';
import { testDialects } from './harness/databases.ts';
import { LOCALHOST_SAN, selfSignedCertificate, type Workdir, workdir } from './harness/openssl.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';
import {
  type NodeTlsServer,
  type Served,
  startNginxTls,
  startNodeTls,
  startPlainTcp,
  startSilentTcp,
} from './harness/tls-servers.ts';

const DAY = 86_400_000;

describe.each(testDialects())('TLS source on %s', (dialect) => {
  let t: RunningTarsier;
  let w: Workdir;
  let nginx: Awaited<ReturnType<typeof startNginxTls>>;
  let plain: Awaited<ReturnType<typeof startPlainTcp>>;
  let silent: Awaited<ReturnType<typeof startSilentTcp>>;
  const node: Record<string, NodeTlsServer> = {};
  const served: Record<string, Served> = {};
  let interId: number;
  let sourceId: number;
  let firstRun: any;
  let items: Record<string, any>;

  async function issue(name: string, body: Record<string, unknown>): Promise<Served> {
    const c = await t.api('POST', '/api/v1/certificates', { authorityId: interId, ...body });
    expect(c.status, c.text).toBe(201);
    const pem = await t.api('POST', `/api/v1/certificates/${c.json.id}/export`, {
      format: 'pem',
      include: ['certificate', 'chain'],
    });
    const key = await t.api('POST', `/api/v1/certificates/${c.json.id}/export`, { format: 'pem', include: ['key'] });
    served[name] = { certPem: pem.text, keyPem: key.text };
    return served[name]!;
  }

  function selfSigned(name: string, keyArgs: string[]): Served {
    served[name] = selfSignedCertificate(w, name, { keyArgs, extra: LOCALHOST_SAN });
    return served[name]!;
  }

  /** The SHA-256 fingerprint of what the server presents, as openssl s_client sees it (lower-case hex). */
  async function fingerprintAt(port: number, serverName?: string): Promise<string> {
    const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-cipher', 'DEFAULT:@SECLEVEL=0'];
    const out = await new Promise<string>((resolve, reject) => {
      const child = execFile(
        'openssl',
        [...args, ...(serverName ? ['-servername', serverName] : [])],
        { timeout: 20_000 },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      );
      child.stdin?.end();
    });
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(out)![0];
    const fp = w.openssl(['x509', '-noout', '-fingerprint', '-sha256'], pem);
    return fp.split('=')[1]!.trim().replace(/:/g, '').toLowerCase();
  }

  beforeAll(async () => {
    t = await startTarsier({ dialect });
    w = workdir();
    interId = (await createCaPair(t, w, 'Lab')).inter.id;
    const now = Date.now();
    const local = { commonName: 'localhost', sans: { dns: ['localhost'], ip: ['127.0.0.1'] } };
    await issue('good', local);
    await issue('expired', {
      ...local,
      notBefore: new Date(now - 20 * DAY).toISOString(),
      notAfter: new Date(now - 10 * DAY).toISOString(),
    });
    await issue('future', {
      ...local,
      notBefore: new Date(now + 10 * DAY).toISOString(),
      notAfter: new Date(now + 40 * DAY).toISOString(),
    });
    await issue('other', { commonName: 'www.example.com' });
    await issue('replacement', local);
    selfSigned('self', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    selfSigned('weak', ['-newkey', 'rsa:1024', '-sha1']);
    nginx = await startNginxTls([served.good!, served.good!, served.other!]);
    for (const name of ['expired', 'future', 'self', 'weak']) node[name] = await startNodeTls(served[name]!);
    plain = await startPlainTcp();
    silent = await startSilentTcp();
  });
  afterAll(async () => {
    await Promise.all([
      t?.stop(),
      nginx?.stop(),
      plain?.stop(),
      silent?.stop(),
      ...Object.values(node).map((s) => s.stop()),
    ]);
    w?.remove();
  });

  it('refuses malformed targets at creation, naming the field, and stores nothing', async () => {
    const bad = async (options: object) => t.api('POST', '/api/v1/sources', { name: 'bad', plugin: 'tls', options });
    const wide = await bad({ targets: ['10.0.0.0/8'] });
    expect(wide.status).toBe(400);
    expect(wide.json.error.details.field).toBe('options.targets[0]');
    const port = await bad({ targets: ['127.0.0.1', 'example.com:99999'] });
    expect(port.json.error.message).toMatch(/^options\.targets\[1\]: '99999' is not a port/);
    const typo = await bad({ targets: ['127.0.0.1'], timeout: 5 });
    expect(typo.json.error.details.field).toBe('options.timeout');
    const plugin = await t.api('POST', '/api/v1/sources', { name: 'x', plugin: 'nmap' });
    expect(plugin.json.error.message).toMatch(/'nmap' is not a source plugin; use one of: tls, directory/);
    expect((await t.api('GET', '/api/v1/sources')).json.items).toEqual([]);
  });

  it('scans every server once, imports each certificate once and flags each problem', async () => {
    const [good1, good2, other] = nginx.ports;
    const targets = [
      `127.0.0.1:${good1}`,
      `localhost@127.0.0.1:${good2}`,
      `127.0.0.1:${other}`,
      ...['expired', 'future', 'self', 'weak'].map((n) => `localhost@127.0.0.1:${node[n]!.port}`),
      '127.0.0.1:1',
      `127.0.0.1:${plain.port}`,
      'no-such-host.invalid:443',
      '169.254.169.254:443',
      `127.0.0.1:${silent.port}`,
    ];
    const c = await t.api('POST', '/api/v1/sources', {
      name: 'lab',
      plugin: 'tls',
      options: { targets, concurrency: 4, timeoutMs: 3000 },
    });
    expect(c.status, c.text).toBe(201);
    sourceId = c.json.id;
    const run = await t.api('POST', `/api/v1/sources/${sourceId}/run`, { wait: true });
    expect(run.status, run.text).toBe(200);
    firstRun = run.json;
    expect(firstRun).toMatchObject({ status: 'finished', itemsTotal: 12, itemsDone: 12, itemsFailed: 5, error: null });
    const list = await t.api('GET', `/api/v1/sources/runs/${firstRun.id}/items`);
    items = Object.fromEntries(list.json.items.map((i: any) => [i.target, i]));
    const problems = (target: string) => items[target]?.problems;
    expect(problems(`127.0.0.1:${good1}`)).toEqual([]);
    expect(problems(`127.0.0.1:${good2} (SNI localhost)`)).toEqual([]);
    expect(problems(`127.0.0.1:${other}`)).toEqual(['hostname-mismatch']);
    expect(problems(`127.0.0.1:${node.expired!.port} (SNI localhost)`)).toEqual(['expired']);
    expect(problems(`127.0.0.1:${node.future!.port} (SNI localhost)`)).toEqual(['not-yet-valid']);
    expect(problems(`127.0.0.1:${node.self!.port} (SNI localhost)`)).toEqual(['self-signed', 'untrusted-chain']);
    expect(problems(`127.0.0.1:${node.weak!.port} (SNI localhost)`)).toEqual([
      'self-signed',
      'untrusted-chain',
      'weak-key',
      'sha1-signature',
    ]);
    expect(items['127.0.0.1:1']).toMatchObject({ status: 'error', message: 'connection refused at 127.0.0.1:1' });
    expect(items[`127.0.0.1:${plain.port}`].message).toMatch(/does not speak TLS/);
    expect(items['no-such-host.invalid:443'].message).toMatch(/cannot resolve no-such-host\.invalid/);
    expect(items['169.254.169.254:443'].message).toMatch(
      /169\.254\.169\.254 resolves to 169\.254\.169\.254, .*link-local/,
    );
    // Silence after the TCP connect is one item's timeout, and the run goes on.
    expect(items[`127.0.0.1:${silent.port}`].message).toBe(
      `no TLS handshake with 127.0.0.1:${silent.port} within 3000 ms`,
    );
  });

  it('imports what the servers present (checked with openssl s_client), each certificate once', async () => {
    const [good1, good2] = nginx.ports;
    const goodFp = await fingerprintAt(good1!);
    expect(await fingerprintAt(good2!, 'localhost')).toBe(goodFp);
    const found = await t.api('GET', `/api/v1/certificates?fingerprint=${goodFp}`);
    expect(found.json.items).toHaveLength(1);
    const id = found.json.items[0].id;
    expect(items[`127.0.0.1:${good1}`].certificateId).toBe(id);
    expect(items[`127.0.0.1:${good2} (SNI localhost)`].certificateId).toBe(id);
    const weakFp = await fingerprintAt(node.weak!.port, 'localhost');
    const weak = await t.api('GET', `/api/v1/certificates?fingerprint=${weakFp}`);
    expect(weak.json.items).toHaveLength(1);
    // Issued here before: known. The two self-signed ones are new to the inventory.
    expect(items[`127.0.0.1:${good1}`].isNew).toBe(false);
    expect(firstRun.certificatesNew).toBe(2);
    const all = await t.api('GET', '/api/v1/certificates?limit=100');
    const fps = all.json.items.map((c: any) => c.fingerprintSha256);
    expect(new Set(fps).size).toBe(fps.length);
    const where = await t.api('GET', `/api/v1/certificates/${id}/endpoints`);
    expect(where.json.items.map((e: any) => e.location).sort()).toEqual(
      [`tls://127.0.0.1:${good1}`, `tls://127.0.0.1:${good2}#localhost`].sort(),
    );
    expect(where.json.items.every((e: any) => e.current && e.status === 'current')).toBe(true);
  });

  it('a second run shows a changed certificate and a vanished server', async () => {
    node.self!.setCertificate(served.replacement!);
    const futurePort = node.future!.port;
    await node.future!.stop();
    delete node.future;
    const run = await t.api('POST', `/api/v1/sources/${sourceId}/run`, { wait: true });
    expect(run.json).toMatchObject({ status: 'finished', itemsFailed: 6, endpointsGone: 1 });
    const endpoints = (await t.api('GET', `/api/v1/endpoints?sourceId=${sourceId}&limit=100`)).json.items;
    const changed = endpoints.find((e: any) => e.status === 'changed');
    const oldSelf = items[`127.0.0.1:${node.self!.port} (SNI localhost)`].certificateId;
    expect(changed).toMatchObject({ previousCertificateId: oldSelf, problems: [] });
    expect(changed.changedAt >= run.json.startedAt).toBe(true);
    const gone = endpoints.filter((e: any) => e.status === 'gone');
    expect(gone.map((e: any) => e.port)).toEqual([futurePort]);
    expect(gone[0].goneAt >= run.json.startedAt).toBe(true);
    const detail = await t.api('GET', `/api/v1/endpoints/${changed.id}`);
    expect(detail.json.certificates.map((c: any) => c.certificateId)).toEqual([oldSelf, changed.certificateId]);
    const oldPlaces = await t.api('GET', `/api/v1/certificates/${oldSelf}/endpoints`);
    expect(oldPlaces.json.items[0]).toMatchObject({ id: changed.id, current: false });
    const same = (await t.api('GET', `/api/v1/sources/runs/${run.json.id}/items?status=ok`)).json.items;
    expect(same.filter((i: any) => i.change === 'changed')).toHaveLength(1);
  });

  it('tarsier source run shows progress and the problems; endpoint list shows the places', async () => {
    const env = { ...process.env, TARSIER_URL: t.url, TARSIER_TOKEN: t.token };
    const add = await runTarsier(
      [
        'source',
        'add',
        'cli-lab',
        '--plugin',
        'tls',
        '--target',
        `localhost@127.0.0.1:${node.weak!.port}`,
        '--target',
        '127.0.0.1:1',
      ],
      env,
    );
    expect(add.code, add.stderr).toBe(0);
    const run = await runTarsier(['source', 'run', 'cli-lab'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/run \d+: finished, 2\/2 items, 1 failed/);
    expect(run.stdout).toMatch(/self-signed, untrusted-chain, weak-key, sha1-signature/);
    expect(run.stdout).toMatch(/127\.0\.0\.1:1 +error .*connection refused/);
    const list = await runTarsier(['endpoint', 'list', '--q', `${node.weak!.port}`], env);
    expect(list.stdout).toMatch(new RegExp(`tls://127\\.0\\.0\\.1:${node.weak!.port}#localhost +current`));
  });

  it('refuses a second run of a busy source, and hides nothing it should not', async () => {
    const user = await t.userToken(`viewer-${dialect}`, ['user']);
    expect((await t.api('GET', '/api/v1/endpoints', undefined, user)).status).toBe(200);
    expect((await t.api('POST', `/api/v1/sources/${sourceId}/run`, {}, user)).status).toBe(403);
    const started = await t.api('POST', `/api/v1/sources/${sourceId}/run`, {});
    expect(started.status).toBe(202);
    const again = await t.api('POST', `/api/v1/sources/${sourceId}/run`, {});
    expect(again.status).toBe(409);
    expect(again.json.error.message).toMatch(/already running/);
    await t.services.sources.stop();
    const audit = await t.api('GET', `/api/v1/audit-events?action=source.run&targetType=source&targetId=${sourceId}`);
    expect(audit.json.items.length).toBeGreaterThanOrEqual(3);
  });
});
