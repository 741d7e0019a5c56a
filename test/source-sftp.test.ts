// The directory source over SFTP against a real OpenSSH sshd started by the harness, on SQLite and PostgreSQL:
// PEM, DER and PKCS#12 files on the remote side are imported once (a second source logging in with a key finds
// the same certificates and imports none), a wrong PKCS#12 password is an item error, and a wrong login password,
// a host key mismatch and a refused port each fail their own run with the reason while the server carries on.
// Password login is proved with the harness's dedicated account, for the source and for an SFTP destination.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaPair } from './harness/authorities.ts';
import { testDialects } from './harness/databases.ts';
import { selfSignedCertificate, type Workdir, workdir } from './harness/openssl.ts';
import { freePort } from './harness/slapd.ts';
import { type RunningSshd, startSshd } from './harness/sshd.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

describe.each(testDialects())('SFTP directory source on %s', (dialect) => {
  let t: RunningTarsier;
  let w: Workdir;
  let sshd: RunningSshd;
  let inter: any;
  let scanDir: string;
  const login = () => sshd.passwordLogin!;

  const source = async (name: string, options: object, secrets: object) => {
    const r = await t.api('POST', '/api/v1/sources', {
      name,
      plugin: 'sftp',
      options: { host: sshd.host, port: sshd.port, hostKey: sshd.hostKeyFingerprint, paths: [scanDir], ...options },
      secrets,
    });
    expect(r.status, r.text).toBe(201);
    return r.json;
  };
  const run = async (id: number) => (await t.api('POST', `/api/v1/sources/${id}/run`, { wait: true })).json;
  const itemsOf = async (runId: number, prefix: string) =>
    Object.fromEntries(
      (await t.api('GET', `/api/v1/sources/runs/${runId}/items`)).json.items.map((i: any) => [
        i.target.replace(prefix, ''),
        i,
      ]),
    );

  beforeAll(async () => {
    t = await startTarsier({ dialect });
    w = workdir();
    ({ inter } = await createCaPair(t, w, 'Remote'));
    sshd = await startSshd({ passwordUser: true });
    scanDir = path.join(login().dir, 'scan');
    fs.mkdirSync(path.join(scanDir, 'deep'), { recursive: true });
    const c = await t.api('POST', '/api/v1/certificates', { authorityId: inter.id, commonName: 'pem.example.com' });
    const pem = await t.api('POST', `/api/v1/certificates/${c.json.id}/export`, {
      format: 'pem',
      include: ['certificate'],
    });
    fs.writeFileSync(path.join(scanDir, 'site.pem'), pem.text);
    selfSignedCertificate(w, 'der', { subject: '/CN=der.example.com', days: 5 });
    w.openssl(['x509', '-in', 'der.pem', '-outform', 'DER', '-out', 'der.der']);
    fs.writeFileSync(path.join(scanDir, 'deep', 'self.der'), w.read('der.der'));
    selfSignedCertificate(w, 'p12', { subject: '/CN=p12.example.com', days: 30 });
    const p12 = (pass: string, out: string) =>
      w.openssl(['pkcs12', '-export', '-in', 'p12.pem', '-inkey', 'p12.key', '-passout', `pass:${pass}`, '-out', out]);
    p12('remote-secret', 'store.p12');
    p12('nobody-knows', 'locked.pfx');
    fs.writeFileSync(path.join(scanDir, 'deep', 'store.p12'), w.read('store.p12'));
    fs.writeFileSync(path.join(scanDir, 'locked.pfx'), w.read('locked.pfx'));
  });
  afterAll(async () => {
    await sshd?.stop();
    await t?.stop();
    w?.remove();
  });

  it('logs in with a password, imports PEM, DER and PKCS#12 files and reports the locked one', async () => {
    const s = await source(
      'remote-password',
      { username: login().username },
      { password: login().password, pkcs12Passwords: ['remote-secret'] },
    );
    expect(s.secretsSet.sort()).toEqual(['password', 'pkcs12Passwords']);
    expect(JSON.stringify(s)).not.toMatch(/remote-secret|tarsier-sftp-test-password/);
    const r = await run(s.id);
    expect(r, JSON.stringify(r)).toMatchObject({
      status: 'finished',
      itemsDone: 4,
      itemsFailed: 1,
      certificatesNew: 2,
    });
    const prefix = `sftp://${login().username}@127.0.0.1:${sshd.port}${scanDir}/`;
    const items = await itemsOf(r.id, prefix);
    expect(Object.keys(items).sort()).toEqual(['deep/self.der', 'deep/store.p12', 'locked.pfx', 'site.pem']);
    expect(items['site.pem']).toMatchObject({ status: 'ok', problems: [], isNew: false });
    expect(items['deep/self.der']).toMatchObject({
      status: 'ok',
      isNew: true,
      problems: ['self-signed', 'untrusted-chain'],
    });
    expect(items['deep/store.p12']).toMatchObject({ status: 'ok', isNew: true });
    expect(items['locked.pfx'].message).toMatch(/^wrong password: none of the 1 configured PKCS#12 passwords/);
    // The key came across the wire and was sealed: the audited export gives back the one openssl made.
    const key = await t.api('POST', `/api/v1/certificates/${items['deep/store.p12'].certificateId}/export`, {
      format: 'pem',
      include: ['key'],
    });
    w.write('back.key', key.text);
    expect(w.openssl(['pkey', '-in', 'back.key', '-pubout'])).toBe(w.openssl(['pkey', '-in', 'p12.key', '-pubout']));
    const eps = (await t.api('GET', `/api/v1/endpoints?kind=file&sourceId=${s.id}`)).json.items;
    expect(eps.map((e: any) => e.path).sort()).toEqual(
      ['deep/self.der', 'deep/store.p12', 'site.pem'].map((f) => path.join(scanDir, f)),
    );
  });

  it('a second source logging in with a key finds the same certificates and imports none', async () => {
    const s = await source(
      'remote-key',
      { username: sshd.username },
      { privateKey: sshd.clientKey, pkcs12Passwords: ['remote-secret'] },
    );
    const r = await run(s.id);
    expect(r).toMatchObject({ status: 'finished', itemsDone: 4, itemsFailed: 1, certificatesNew: 0 });
    for (const cn of ['der.example.com', 'p12.example.com', 'pem.example.com']) {
      const found = await t.api('GET', `/api/v1/certificates?q=${cn}`);
      expect(
        found.json.items.filter((c: any) => c.commonName === cn),
        cn,
      ).toHaveLength(1);
    }
  });

  it('a wrong password, a host key mismatch and a refused port each fail their own run, saying why', async () => {
    const otherKey = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const wrong = await source('wrong-password', { username: login().username }, { password: 'not-it' });
    const mismatch = await source(
      'mismatch',
      { username: sshd.username, hostKey: otherKey },
      { privateKey: sshd.clientKey },
    );
    const refused = await source(
      'refused',
      { username: sshd.username, port: await freePort() },
      { privateKey: sshd.clientKey },
    );
    expect(await run(wrong.id)).toMatchObject({
      status: 'failed',
      error: `${login().username}@127.0.0.1:${sshd.port} refused the password`,
    });
    expect(await run(mismatch.id)).toMatchObject({
      status: 'failed',
      error: `host key mismatch at 127.0.0.1:${sshd.port}: the server presented ${sshd.hostKeyFingerprint}, pinned ${otherKey}`,
    });
    expect((await run(refused.id)).error).toMatch(/ECONNREFUSED/);
    const missing = await t.api('POST', '/api/v1/sources', {
      name: 'no-credential',
      plugin: 'sftp',
      options: { host: sshd.host, username: 'x', hostKey: otherKey, paths: ['/srv'] },
    });
    expect(missing.status).toBe(400);
    expect(missing.json.error.message).toBe('secrets: give secrets.password or secrets.privateKey');
    // The server is still up and the good source still runs.
    const again = await t.api('GET', '/api/v1/sources');
    const good = again.json.items.find((x: any) => x.name === 'remote-password');
    expect((await run(good.id)).status).toBe('finished');
  });

  it('deploys to an SFTP destination logging in with a password', async () => {
    const dir = path.join(login().dir, 'deploy');
    fs.mkdirSync(dir);
    execFileSync('chown', [`${login().username}:`, dir]);
    const dest = await t.api('POST', '/api/v1/destinations', {
      name: 'by-password',
      plugin: 'sftp',
      options: {
        host: sshd.host,
        port: sshd.port,
        username: login().username,
        hostKey: sshd.hostKeyFingerprint,
        path: dir,
      },
      secrets: { password: login().password },
    });
    expect(dest.status, dest.text).toBe(201);
    expect((await t.api('POST', `/api/v1/destinations/${dest.json.id}/test`)).json).toMatchObject({ ok: true });
    const issued = await t.api('POST', '/api/v1/certificates', {
      authorityId: inter.id,
      commonName: 'pw.example.com',
      destinations: [dest.json.id],
    });
    expect(issued.json.deployments[0], JSON.stringify(issued.json.deployments)).toMatchObject({ status: 'success' });
    const owner = (f: string) =>
      execFileSync('stat', ['-c', '%U %a', path.join(dir, f)])
        .toString()
        .trim();
    expect(owner('pw.example.com.key')).toBe(`${login().username} 600`);
    expect(owner('pw.example.com.crt')).toBe(`${login().username} 644`);
    w.write('pw.crt', fs.readFileSync(path.join(dir, 'pw.example.com.crt')));
    expect(w.openssl(['x509', '-in', 'pw.crt', '-noout', '-serial'])).toContain(issued.json.serial.toUpperCase());
  });
});
