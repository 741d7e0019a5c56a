// SFTP deployment to a real OpenSSH sshd started by the harness on 127.0.0.1, on SQLite and PostgreSQL: the files
// and their modes are checked on the remote side, the remote command's status and output are recorded, and a
// wrong password, a host key mismatch, a refused connection and an unresolvable host each fail on their own
// while the good destination in the same deployment succeeds.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaPair } from './harness/authorities.ts';
import { testDialects } from './harness/databases.ts';
import { type Workdir, workdir } from './harness/openssl.ts';
import { freePort } from './harness/slapd.ts';
import { type RunningSshd, startSshd } from './harness/sshd.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

describe.each(testDialects())('SFTP destination on %s', (dialect) => {
  let t: RunningTarsier;
  let w: Workdir;
  let sshd: RunningSshd;
  let inter: any;

  beforeAll(async () => {
    t = await startTarsier({ dialect, settings: { outboundAllow: 'loopback' } });
    w = workdir();
    ({ inter } = await createCaPair(t, w, 'Sftp'));
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
    await t?.stop();
    w?.remove();
  });

  const sftp = async (name: string, options: object, secrets: object) => {
    const r = await t.api('POST', '/api/v1/destinations', {
      name,
      plugin: 'sftp',
      options: {
        host: sshd.host,
        port: sshd.port,
        username: sshd.username,
        hostKey: sshd.hostKeyFingerprint,
        ...options,
      },
      secrets,
    });
    expect(r.status, r.text).toBe(201);
    return r.json;
  };

  it('deploys over SFTP with a key: files and modes on the remote side, the remote command recorded', async () => {
    const dir = path.join(sshd.remoteDir, 'web1');
    fs.mkdirSync(dir);
    const dest = await sftp('web1', { path: dir, command: `ls ${dir}; echo reloaded` }, { privateKey: sshd.clientKey });
    expect(dest.secretsSet).toEqual(['privateKey']);
    expect(JSON.stringify(dest)).not.toContain('PRIVATE KEY');
    const tested = await t.api('POST', `/api/v1/destinations/${dest.id}/test`);
    expect(tested.json, tested.text).toMatchObject({ ok: true });
    const issued = await t.api('POST', '/api/v1/certificates', {
      authorityId: inter.id,
      commonName: 'web1.example.com',
      destinations: [dest.id],
    });
    expect(issued.status, issued.text).toBe(201);
    const [d] = issued.json.deployments;
    expect(d, JSON.stringify(d)).toMatchObject({ status: 'success', exitCode: 0 });
    expect(d.location).toBe(`sftp://127.0.0.1:${sshd.port}${dir}/web1.example.com.crt`);
    expect(d.output).toContain('web1.example.com.key');
    expect(d.output).toContain('reloaded');
    const mode = (f: string) => fs.statSync(path.join(dir, f)).mode & 0o777;
    expect(mode('web1.example.com.key')).toBe(0o600);
    expect(mode('web1.example.com.crt')).toBe(0o644);
    expect(mode('web1.example.com.fullchain.crt')).toBe(0o644);
    expect(fs.readdirSync(dir).sort()).toEqual([
      'web1.example.com.chain.crt',
      'web1.example.com.crt',
      'web1.example.com.fullchain.crt',
      'web1.example.com.key',
    ]);
    expect(
      w.openssl([
        ...['verify', '-x509_strict', '-CAfile', 'root.pem'],
        ...['-untrusted', path.join(dir, 'web1.example.com.chain.crt'), path.join(dir, 'web1.example.com.crt')],
      ]),
    ).toContain(': OK');
    w.write('remote.crt', fs.readFileSync(path.join(dir, 'web1.example.com.crt')));
    expect(w.openssl(['x509', '-in', 'remote.crt', '-noout', '-serial'])).toContain(issued.json.serial.toUpperCase());
    // The replacement overwrites the same files (rename over existing ones).
    const rotated = await t.api('POST', `/api/v1/certificates/${issued.json.id}/rotate`, {});
    expect(rotated.status, rotated.text).toBe(201);
    w.write('remote2.crt', fs.readFileSync(path.join(dir, 'web1.example.com.crt')));
    expect(w.openssl(['x509', '-in', 'remote2.crt', '-noout', '-serial'])).toContain(rotated.json.serial.toUpperCase());
    expect(fs.readdirSync(dir)).toHaveLength(4);
  });

  it('reports a wrong password, a host key mismatch, a refused connection and an unknown host per destination', async () => {
    const dir = path.join(sshd.remoteDir, 'web2');
    fs.mkdirSync(dir);
    const good = await sftp('good', { path: dir }, { privateKey: sshd.clientKey });
    const wrongPassword = await sftp('wrong-password', { path: dir }, { password: 'not-the-password' });
    const otherKey = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const mismatch = await sftp('mismatch', { path: dir, hostKey: otherKey }, { privateKey: sshd.clientKey });
    const refused = await sftp('refused', { path: dir, port: await freePort() }, { privateKey: sshd.clientKey });
    const unknown = await sftp('unknown', { path: dir, host: 'no-such-host.invalid' }, { privateKey: sshd.clientKey });
    const cert = (
      await t.api('POST', '/api/v1/certificates', { authorityId: inter.id, commonName: 'web2.example.com' })
    ).json;
    const ids = [wrongPassword.id, mismatch.id, good.id, refused.id, unknown.id];
    const r = await t.api('POST', `/api/v1/certificates/${cert.id}/deploy`, { destinations: ids });
    expect(r.status, r.text).toBe(200);
    const by = Object.fromEntries(r.json.items.map((d: any) => [d.destination, d]));
    expect(by.good.status).toBe('success');
    expect(by['wrong-password'].error).toBe(`${sshd.username}@127.0.0.1:${sshd.port} refused the password`);
    expect(by.mismatch.error).toBe(
      `host key mismatch at 127.0.0.1:${sshd.port}: the server presented ${sshd.hostKeyFingerprint}, pinned ${otherKey}`,
    );
    expect(by.refused.error).toMatch(/ECONNREFUSED/);
    expect(by.unknown.error).toMatch(/no-such-host\.invalid/);
    for (const n of ['wrong-password', 'mismatch', 'refused', 'unknown']) expect(by[n].status, n).toBe('failed');
    expect(fs.existsSync(path.join(dir, 'web2.example.com.key'))).toBe(true);
    const slow = await sftp(
      'slow',
      { path: dir, command: 'sleep 30', commandTimeoutSeconds: 1 },
      { privateKey: sshd.clientKey },
    );
    const stopped = await t.api('POST', `/api/v1/certificates/${cert.id}/deploy`, { destinations: [slow.id] });
    expect(stopped.json.items[0]).toMatchObject({ status: 'failed', exitCode: null });
    expect(stopped.json.items[0].error).toContain('stopped');
    expect(stopped.json.items[0].output).toContain('stopped after 1 s');
    const tested = await t.api('POST', `/api/v1/destinations/${mismatch.id}/test`);
    expect(tested.json).toMatchObject({ ok: false });
    expect(tested.json.message).toContain(sshd.hostKeyFingerprint);
  });
});
