// Automatic rotation end to end on SQLite and PostgreSQL, with a real SMTP server: a certificate near expiry is
// re-issued by the same authority with the same names and a new key (checked with openssl), the old one marked
// replaced and revoked after its grace period, the owner gets the "rotated" message; automated certificates get
// no plain expiry warnings, a failing rotation is retried and alerted, then flagged as overdue; bulk rotation by
// filter with a dry run, through the API and `tarsier cert rotate --filter … --dry-run`; `tarsier job list|run`.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redeployMissing } from '../src/modules/rotation/redeploy.ts';
import { createRotationWorker, ROTATION_CONTEXT } from '../src/modules/rotation/service.ts';
import { createCaPair } from './harness/authorities.ts';
import { runTarsier } from './harness/cli.ts';
import { testDialects } from './harness/databases.ts';
import { type Workdir, workdir } from './harness/openssl.ts';
import { ownerMailbox, type RunningSmtp, startSmtp } from './harness/smtp.ts';
import { type RunningTarsier, startTarsier, TEST_USER_PASSWORD } from './harness/tarsier.ts';

const DAY = 86_400;

describe.each(testDialects())('rotation on %s', (dialect) => {
  let t: RunningTarsier;
  let w: Workdir;
  let smtp: RunningSmtp;
  let authorityId: number;
  let token: string;

  const api = (method: string, path: string, body?: unknown) => t.api(method, path, body, token);
  const advance = async (seconds: number) => {
    t.services.config.clockOffsetSeconds += seconds;
    token = (await t.api('POST', '/api/v1/auth/login', { username: 'admin', password: t.adminPassword })).json.token;
  };
  const runJob = async (name: string) => {
    const r = await api('POST', `/api/v1/jobs/${name}/run`);
    expect(r.status, r.text).toBe(200);
    expect(r.json.status, r.text).toBe('succeeded');
    return r.json.result;
  };
  const issue = async (body: object) => {
    const r = await api('POST', '/api/v1/certificates', { authorityId, owner: 'alice', ...body });
    expect(r.status, r.text).toBe(201);
    return r.json;
  };
  const publicKey = (pem: string, name: string) => {
    w.write(name, pem);
    return w.openssl(['x509', '-in', name, '-noout', '-pubkey']);
  };

  const bare = (hex: string) => hex.toLowerCase().replace(/^0+/, '');
  const serialOnDisk = (file: string) =>
    bare(
      w
        .openssl(['x509', '-in', file, '-noout', '-serial'])
        .trim()
        .replace(/^serial=/, ''),
    );
  /** A directory destination in a temporary folder. */
  const directory = async (name: string) => {
    const dir = fs.mkdtempSync(path.join(w.dir, `${name}-`));
    const dest = await api('POST', '/api/v1/destinations', { name, plugin: 'directory', options: { path: dir } });
    expect(dest.status, dest.text).toBe(201);
    return { dir, dest };
  };

  beforeAll(async () => {
    [smtp, t] = await Promise.all([startSmtp(), startTarsier({ dialect })]);
    token = t.token;
    w = workdir();
    ({
      inter: { id: authorityId },
    } = await createCaPair(t, w, 'Rotate'));
    await ownerMailbox(api, smtp, TEST_USER_PASSWORD);
  });
  afterAll(async () => {
    await t?.stop();
    await smtp?.stop();
    w?.remove();
  });

  it('refuses rotation settings that cannot work, naming the field', async () => {
    const leaf = await issue({ commonName: 'short.example.com', validityDays: 5 });
    const tooEarly = await api('PUT', `/api/v1/certificates/${leaf.id}/rotation`, { enabled: true, daysBefore: 10 });
    expect(tooEarly.status).toBe(400);
    expect(tooEarly.json.error.details.field).toBe('daysBefore');
    w.openssl(
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'o.key'].concat([
        '-out',
        'other.pem',
        '-subj',
        '/CN=other.example.com',
        '-days',
        '30',
      ]),
    );
    const imported = await api('POST', '/api/v1/certificates/import', { pem: w.read('other.pem').toString() });
    expect(imported.status, imported.text).toBe(201);
    const refused = await api('PUT', `/api/v1/certificates/${imported.json.id}/rotation`, { enabled: true });
    expect(refused.status).toBe(422);
    expect(refused.json.error.message).toContain('imported');
  });

  it('rotates a certificate near expiry: same names, new key, old replaced and revoked, the owner told', async () => {
    const old = await issue({ commonName: 'www.example.com', sans: { dns: ['api.example.com'] }, validityDays: 20 });
    const set = await api('PUT', `/api/v1/certificates/${old.id}/rotation`, {
      enabled: true,
      daysBefore: 10,
      revokeAfterDays: 0,
    });
    expect(set.status, set.text).toBe(200);
    expect(set.json).toMatchObject({ enabled: true, daysBefore: 10, revokeAfterDays: 0, lastRotation: null });

    expect(await runJob('rotation')).toMatchObject({ rotated: 0 });
    // Within 30 days of expiry, but rotated automatically: no plain expiry warning.
    await runJob('expiry-notifications');
    expect(smtp.to('alice@example.test').filter((m) => m.text.includes('www.example.com'))).toEqual([]);

    await advance(11 * DAY);
    expect(await runJob('rotation')).toMatchObject({ rotated: 1, failed: 0, revoked: 1 });
    const before = (await api('GET', `/api/v1/certificates/${old.id}`)).json;
    expect(before.replacedById).toBeGreaterThan(old.id);
    expect(before.status).toBe('revoked');
    expect(before.revocationReason).toBe('superseded');
    const fresh = (await api('GET', `/api/v1/certificates/${before.replacedById}`)).json;
    expect(fresh.replacesId).toBe(old.id);
    expect(fresh.sans.dns).toEqual(['www.example.com', 'api.example.com']);
    w.write('fresh.pem', fresh.pem);
    // Checked at Tarsier's (moved) clock: the replacement starts then.
    const at = String(Math.floor(Date.now() / 1000) + t.services.config.clockOffsetSeconds);
    const verify = ['verify', '-x509_strict', '-attime', at, '-CAfile', 'root.pem', '-untrusted', 'inter.pem'];
    expect(w.openssl([...verify, 'fresh.pem'])).toContain('fresh.pem: OK');
    expect(publicKey(fresh.pem, 'fresh.pem')).not.toBe(publicKey(old.pem, 'old.pem'));
    const carried = (await api('GET', `/api/v1/certificates/${fresh.id}/rotation`)).json;
    expect(carried).toMatchObject({ enabled: true, daysBefore: 10, revokeAfterDays: 0, lastRotation: null });
    const status = (await api('GET', `/api/v1/certificates/${old.id}/rotation`)).json.lastRotation;
    expect(status).toMatchObject({ status: 'done', newCertificateId: fresh.id, attempts: 0 });

    const rotated = smtp.to('alice@example.test').filter((m) => m.subject.includes('rotated'));
    expect(rotated.map((m) => m.subject)).toEqual(['[Tarsier] 1 certificate was rotated']);
    expect(rotated[0]!.text).toContain(`replaced by certificate ${fresh.id}`);
    expect(rotated[0]!.text).toContain('tarsier cert export');
    // Nothing happens twice.
    expect(await runJob('rotation')).toMatchObject({ rotated: 0, revoked: 0 });
    expect(smtp.to('alice@example.test').filter((m) => m.subject.includes('rotated'))).toHaveLength(1);
  });

  it('retries a failing rotation, alerts the owner, and flags it as overdue instead of a plain warning', async () => {
    w.openssl(
      ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'f.key'].concat([
        '-out',
        'f.csr',
        '-subj',
        '/CN=fromcsr.example.com',
      ]),
    );
    const leaf = await issue({ csr: w.read('f.csr').toString(), validityDays: 20 });
    const set = await api('PUT', `/api/v1/certificates/${leaf.id}/rotation`, { enabled: true, daysBefore: 15 });
    expect(set.status, set.text).toBe(200);
    await advance(6 * DAY);
    expect(await runJob('rotation')).toMatchObject({ failed: 1 });
    const failing = (await api('GET', `/api/v1/certificates/${leaf.id}/rotation`)).json.lastRotation;
    expect(failing).toMatchObject({ status: 'running', attempts: 1 });
    expect(failing.lastError).toContain('send a new CSR');
    const alert = smtp.to('alice@example.test').filter((m) => m.subject.includes('rotation failed'));
    expect(alert).toHaveLength(1);
    expect(alert[0]!.text).toContain('fromcsr.example.com');
    expect(alert[0]!.text).toContain('will retry');
    // Backed off: not tried again at once; tried again later.
    expect(await runJob('rotation')).toMatchObject({ failed: 0 });
    await advance(2 * DAY);
    expect(await runJob('rotation')).toMatchObject({ failed: 1 });
    expect((await api('GET', `/api/v1/certificates/${leaf.id}/rotation`)).json.lastRotation.attempts).toBe(2);
    await runJob('expiry-notifications');
    const overdue = smtp.to('alice@example.test').filter((m) => m.subject.includes('overdue'));
    expect(overdue).toHaveLength(1);
    expect(overdue[0]!.text).toContain('fromcsr.example.com');
    const plain = smtp.to('alice@example.test').filter((m) => m.subject.includes('expire soon'));
    expect(plain.filter((m) => m.text.includes('fromcsr.example.com'))).toEqual([]);
  });

  it('rotates in bulk by filter, with a dry run that changes nothing (API and CLI)', async () => {
    const a = await issue({ commonName: 'bulk-a.example.com', validityDays: 30, labels: { batch: 'b1' } });
    const b = await issue({ commonName: 'bulk-b.example.com', validityDays: 30 });
    const dry = await api('POST', '/api/v1/rotations/bulk', { filter: { q: 'bulk-' }, dryRun: true });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.json.items.map((i: any) => [i.certificateId, i.action])).toEqual(
      expect.arrayContaining([
        [a.id, 'rotate'],
        [b.id, 'rotate'],
      ]),
    );
    expect((await api('GET', `/api/v1/certificates/${a.id}`)).json.replacedById).toBeNull();
    const everything = await api('POST', '/api/v1/rotations/bulk', { filter: {} });
    expect(everything.status).toBe(400);
    expect(everything.json.error.details.field).toBe('filter');

    const { TARSIER_TOKEN: _t, ...env } = process.env;
    const cli = await runTarsier(['cert', 'rotate', '--filter', 'q=bulk-', '--dry-run'], {
      ...env,
      TARSIER_URL: t.url,
      TARSIER_TOKEN: token,
    });
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('dry run: 2 would be rotated');
    expect(cli.stdout).toMatch(new RegExp(`${a.id}\\s+bulk-a.example.com`));
    const cliEnv = { ...env, TARSIER_URL: t.url, TARSIER_TOKEN: token };
    const jobs = await runTarsier(['job', 'list'], cliEnv);
    expect(jobs.code, jobs.stderr).toBe(0);
    expect(jobs.stdout).toMatch(/^rotation\s+3600s\s+\S+ \S+ UTC\s+succeeded\s+\{"rotated":/m);
    const ran = await runTarsier(['job', 'run', 'revocation-checks'], cliEnv);
    expect(ran.stdout).toMatch(/^revocation-checks: succeeded \(run \d+ in \S+:\d+\)/);

    const done = await api('POST', '/api/v1/rotations/bulk', { filter: { q: 'bulk-a' } });
    expect(done.json.items).toEqual([expect.objectContaining({ certificateId: a.id, action: 'rotated' })]);
    const again = await api('POST', '/api/v1/rotations/bulk', { filter: { q: 'bulk-a' }, dryRun: true });
    const skipped = again.json.items.find((i: any) => i.certificateId === a.id);
    expect(skipped).toMatchObject({
      action: 'skip',
      reason: `already replaced by certificate ${done.json.items[0].newCertificateId}`,
    });
  });

  it('hands each replacement to afterRotated (the redeploy); a failed redeploy is retried without issuing again', async () => {
    const old = await issue({ commonName: 'deployed.example.com', validityDays: 20 });
    expect(
      (await api('PUT', `/api/v1/certificates/${old.id}/rotation`, { enabled: true, daysBefore: 19 })).status,
    ).toBe(200);
    const calls: Array<[number, number]> = [];
    let destinationUp = false;
    const s = t.services;
    const worker = createRotationWorker({
      db: s.db,
      certificates: s.certificates,
      pending: s.pending,
      notices: s.triggers,
      clock: () => new Date(Date.now() + (s.config.clockOffsetSeconds + 2 * DAY) * 1000),
      log: s.log,
      claimSeconds: 5,
      afterRotated: async (oldId, newId) => {
        calls.push([oldId, newId]);
        if (!destinationUp) throw new Error('destination web-1 refused the upload');
      },
    });
    expect(await worker.work(old.id)).toBe('failed');
    const replacedBy = (await api('GET', `/api/v1/certificates/${old.id}`)).json.replacedById;
    expect(calls).toEqual([[old.id, replacedBy]]);
    const row = await worker.get(old.id);
    expect(row).toMatchObject({ status: 'running', attempts: 1, last_error: 'destination web-1 refused the upload' });

    destinationUp = true;
    // Skip the five-minute backoff rather than wait for it.
    await s.db
      .updateTable('rotations')
      .set({ next_attempt_at: '2000-01-01T00:00:00.000Z' })
      .where('certificate_id', '=', old.id)
      .execute();
    expect(await worker.work(old.id)).toBe('rotated');
    expect(calls).toEqual([
      [old.id, replacedBy],
      [old.id, replacedBy],
    ]);
    const list = await api('GET', '/api/v1/certificates?q=deployed.example.com');
    expect(list.json.items.filter((c: any) => c.replacesId === old.id)).toHaveLength(1);
  });

  it('rotation end to end: a certificate near expiry is renewed and redeployed to its directory, the owner told', async () => {
    const { dir, dest } = await directory('www-dir');
    const old = await issue({ commonName: 'redeploy.example.com', validityDays: 20, destinations: [dest.json.id] });
    expect(old.deployments).toMatchObject([{ status: 'success' }]);
    const set = { enabled: true, daysBefore: 10 };
    expect((await api('PUT', `/api/v1/certificates/${old.id}/rotation`, set)).status).toBe(200);
    await advance(11 * DAY);
    await runJob('rotation');
    const fresh = (
      await api('GET', `/api/v1/certificates/${(await api('GET', `/api/v1/certificates/${old.id}`)).json.replacedById}`)
    ).json;
    expect(fresh.replacesId).toBe(old.id);
    const file = (name: string) => path.join(dir, `redeploy.example.com.${name}`);
    expect(serialOnDisk(file('crt'))).toBe(bare(fresh.serial));
    expect(serialOnDisk(file('crt'))).not.toBe(bare(old.serial));
    const at = String(Math.floor(Date.now() / 1000) + t.services.config.clockOffsetSeconds);
    const verify = ['verify', '-x509_strict', '-attime', at, '-CAfile', 'root.pem', '-untrusted', file('chain.crt')];
    expect(w.openssl([...verify, file('crt')])).toContain(': OK');
    expect(fs.statSync(file('key')).mode & 0o777).toBe(0o600);
    const keyPub = w.openssl(['pkey', '-in', file('key'), '-pubout']);
    expect(keyPub).toBe(w.openssl(['x509', '-in', file('crt'), '-noout', '-pubkey']));
    // Deployed once (by the rotation's issue), not again by afterRotated.
    const history = (await api('GET', `/api/v1/certificates/${fresh.id}/deployments`)).json.items;
    expect(history).toMatchObject([{ destinationId: dest.json.id, status: 'success' }]);
    const told = smtp.to('alice@example.test').filter((m) => m.subject.includes('rotated'));
    const mine = told.filter((m) => m.text.includes('redeploy.example.com'));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.text).toContain(`replaced by certificate ${fresh.id}`);
  });

  it('afterRotated deploys a replacement its issuing process did not get to deploy, and nothing twice', async () => {
    const { dir, dest } = await directory('late-dir');
    const old = await issue({ commonName: 'late.example.com', validityDays: 20, destinations: [dest.json.id] });
    // Issued as if by a process that died before deploying: the replacement exists, no deployment of it does.
    const s = t.services;
    const fresh = await s.certificates.rotate(old.id, {}, ROTATION_CONTEXT);
    const newId = 'certificate' in fresh ? fresh.certificate.id : 0;
    await s.db.deleteFrom('deployments').where('certificate_id', '=', newId).execute();
    await redeployMissing({ db: s.db, deployments: s.deployments })(old.id, newId);
    await redeployMissing({ db: s.db, deployments: s.deployments })(old.id, newId);
    const history = (await api('GET', `/api/v1/certificates/${newId}/deployments`)).json.items;
    expect(history).toMatchObject([{ destinationId: dest.json.id, status: 'success' }]);
    const onDisk = serialOnDisk(path.join(dir, 'late.example.com.crt'));
    expect(onDisk).toBe(bare((await s.certificates.get(newId)).serial));
  });
});
