// The alerts that understand deployment, on SQLite and PostgreSQL with a real SMTP server: a replacement a
// failing destination did not take (not-deployed), and a TLS service still presenting a replaced certificate
// (stale-deployment), each told to the owner once after the grace period and quiet again once fixed.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staleEndpoints, undeployedReplacements } from '../src/modules/notifications/automation-checks.ts';
import { createCaPair } from './harness/authorities.ts';
import { testDialects } from './harness/databases.ts';
import { type Workdir, workdir } from './harness/openssl.ts';
import { ownerMailbox, type RunningSmtp, startSmtp } from './harness/smtp.ts';
import { type RunningTarsier, startTarsier, TEST_USER_PASSWORD } from './harness/tarsier.ts';
import { type NodeTlsServer, startNodeTls } from './harness/tls-servers.ts';

const HOUR = 3600;

describe.each(testDialects())('automation alerts on %s', (dialect) => {
  let t: RunningTarsier;
  let w: Workdir;
  let smtp: RunningSmtp;
  let tlsServer: NodeTlsServer | undefined;
  let authorityId: number;

  const api = (method: string, p: string, body?: unknown) => t.api(method, p, body);
  const now = () => new Date(Date.now() + t.services.config.clockOffsetSeconds * 1000);
  const runNotices = async () => {
    const r = await api('POST', '/api/v1/jobs/expiry-notifications/run');
    expect(r.json.status, r.text).toBe('succeeded');
    return r.json.result;
  };
  const mail = (subject: string, text: string) =>
    smtp.to('alice@example.test').filter((m) => m.subject.includes(subject) && m.text.includes(text));
  /** A directory destination in a temporary folder; `command` runs after each deployment. */
  const directory = async (name: string, command?: string) => {
    const dir = fs.mkdtempSync(path.join(w.dir, `${name}-`));
    const dest = await api('POST', '/api/v1/destinations', {
      name,
      plugin: 'directory',
      options: { path: dir, ...(command ? { command } : {}) },
    });
    expect(dest.status, dest.text).toBe(201);
    return { dir, id: dest.json.id as number };
  };
  const issue = async (commonName: string, destinations: number[]) => {
    const r = await api('POST', '/api/v1/certificates', { authorityId, owner: 'alice', commonName, destinations });
    expect(r.status, r.text).toBe(201);
    return r.json;
  };
  const rotate = async (id: number) => {
    const r = await api('POST', `/api/v1/certificates/${id}/rotate`, {});
    expect(r.status, r.text).toBe(201);
    return r.json;
  };

  beforeAll(async () => {
    [smtp, t] = await Promise.all([startSmtp(), startTarsier({ dialect, settings: { deployGraceMinutes: '60' } })]);
    w = workdir();
    ({
      inter: { id: authorityId },
    } = await createCaPair(t, w, 'Alerts'));
    await ownerMailbox(api, smtp, TEST_USER_PASSWORD);
  });
  afterAll(async () => {
    await tlsServer?.stop();
    await t?.stop();
    await smtp?.stop();
    w?.remove();
  });

  it('not-deployed: a replacement a failing destination did not take is told once after the grace period', async () => {
    // The destination's reload command fails while a `broken` file exists in its folder.
    const dest = await directory('flaky', 'test ! -e broken');
    const old = await issue('flaky.example.com', [dest.id]);
    expect(old.deployments).toMatchObject([{ status: 'success' }]);
    fs.writeFileSync(path.join(dest.dir, 'broken'), '');
    const fresh = await rotate(old.id);
    const tried = await api('GET', `/api/v1/certificates/${fresh.id}/deployments`);
    expect(tried.json.items).toMatchObject([{ destinationId: dest.id, status: 'failed', exitCode: 1 }]);

    // Within the grace period nothing is said: the deployment may still be on its way.
    await runNotices();
    expect(mail('not deployed', 'flaky.example.com')).toEqual([]);
    t.services.config.clockOffsetSeconds += 2 * HOUR;
    await runNotices();
    const alert = mail('issued but not deployed', 'flaky.example.com');
    expect(alert).toHaveLength(1);
    expect(alert[0]!.text).toContain(`certificate ${fresh.id}`);
    expect(alert[0]!.text).toContain('not deployed to flaky');
    expect(alert[0]!.text).toContain('deploy it');
    expect(alert[0]!.html).toContain('flaky.example.com');
    // The destination's file still holds the old certificate, so it is stale as well.
    const stale = mail('older certificate', 'flaky.example.com');
    expect(stale).toHaveLength(1);
    expect(stale[0]!.text).toContain(`though certificate ${fresh.id} replaced it`);
    await runNotices();
    expect(mail('issued but not deployed', 'flaky.example.com')).toHaveLength(1);
    expect(mail('older certificate', 'flaky.example.com')).toHaveLength(1);

    fs.rmSync(path.join(dest.dir, 'broken'));
    const again = await api('POST', `/api/v1/certificates/${fresh.id}/deploy`, {});
    expect(again.json.items).toMatchObject([{ status: 'success' }]);
    const mine = (items: { id: number }[]) => items.filter((i) => i.id === fresh.id || i.id === old.id);
    expect(mine(await undeployedReplacements(t.services.db, now(), 0))).toEqual([]);
    expect(mine(await staleEndpoints(t.services.db, now(), 0))).toEqual([]);
  });

  it('stale-deployment: a TLS service still presenting a replaced certificate is told once, then no more', async () => {
    const files = await directory('tls-files');
    const old = await issue('tls.example.com', [files.id]);
    const served = (dir: string) => ({
      certPem: fs.readFileSync(path.join(dir, 'tls.example.com.fullchain.crt'), 'utf8'),
      keyPem: fs.readFileSync(path.join(dir, 'tls.example.com.key'), 'utf8'),
    });
    tlsServer = await startNodeTls(served(files.dir));
    const source = await api('POST', '/api/v1/sources', {
      name: 'web',
      plugin: 'tls',
      options: { targets: [`127.0.0.1:${tlsServer.port}`], timeoutMs: 3000 },
    });
    expect(source.status, source.text).toBe(201);
    const scan = async () => {
      const run = await api('POST', `/api/v1/sources/${source.json.id}/run`, { wait: true });
      expect(run.json.status, run.text).toBe('finished');
    };
    await scan();
    const location = `tls://127.0.0.1:${tlsServer.port}`;
    const seen = await api('GET', `/api/v1/certificates/${old.id}/endpoints`);
    expect(seen.json.items.map((e: any) => e.location)).toContain(location);

    // Rotated and redeployed to the files, but the service was never reloaded.
    const fresh = await rotate(old.id);
    const redeployed = await api('GET', `/api/v1/certificates/${fresh.id}/deployments`);
    expect(redeployed.json.items).toMatchObject([{ destinationId: files.id, status: 'success' }]);
    t.services.config.clockOffsetSeconds += 2 * HOUR;
    await runNotices();
    const alert = mail('older certificate', 'tls.example.com');
    expect(alert).toHaveLength(1);
    expect(alert[0]!.text).toContain(`${location} still shows it, though certificate ${fresh.id} replaced it`);
    expect(alert[0]!.text).toContain('Redeploy, reload the service');
    // Only the service is stale: the destination's files hold the replacement.
    expect(alert[0]!.text).not.toContain(files.dir);
    expect(mail('not deployed', 'tls.example.com')).toEqual([]);
    await runNotices();
    expect(mail('older certificate', 'tls.example.com')).toHaveLength(1);

    // The service reloads, the next scan sees the replacement, and the check finds nothing more.
    tlsServer.setCertificate(served(files.dir));
    await scan();
    const stale = await staleEndpoints(t.services.db, now(), 0);
    expect(stale.filter((i) => i.id === old.id)).toEqual([]);
  });
});
