// Private keys at rest: after issuing and importing keys, neither the SQLite files nor a pg_dump of the
// PostgreSQL database holds any private key bytes or PEM; master keys rotate without losing a key.
import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/cli/server.ts';
import { loadServerConfig } from '../src/config.ts';
import { appendMasterKey } from '../src/crypto/envelope.ts';
import { masterKeysFile } from '../src/services.ts';
import { testDialects } from './harness/databases.ts';
import { type Workdir, workdir } from './harness/openssl.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

/** Every form a leaked key could take in storage: DER, its hex, its base64, the PEM body, the raw secret. */
function fingerprintsOf(pem: string): Buffer[] {
  const key = createPrivateKey(pem);
  const der = key.export({ type: 'pkcs8', format: 'der' });
  const jwk = key.export({ format: 'jwk' });
  const secret = Buffer.from((jwk.d ?? '') as string, 'base64url');
  const body = pem.replace(/-----[^-]+-----|\s/g, '');
  return [
    der,
    Buffer.from(der.toString('hex')),
    Buffer.from(der.toString('base64').slice(8, 72)),
    Buffer.from(body.slice(8, 72)),
    secret,
    Buffer.from(secret.toString('hex')),
  ];
}

describe.each(testDialects())('private keys at rest on %s', (dialect) => {
  let t: RunningTarsier;
  let w: Workdir;
  const keys: string[] = [];
  const certIds: number[] = [];

  beforeAll(async () => {
    t = await startTarsier({ dialect });
    w = workdir();
    const root = (
      await t.api('POST', '/api/v1/authorities', {
        name: 'R',
        type: 'root',
        subject: { commonName: 'At Rest Root' },
        keyType: 'rsa-2048',
      })
    ).json;
    for (const keyType of ['ec-p256', 'rsa-2048', 'ed25519']) {
      const c = (
        await t.api('POST', '/api/v1/certificates', {
          authorityId: root.id,
          commonName: `${keyType}.example.com`,
          keyType,
        })
      ).json;
      certIds.push(c.id);
    }
    w.openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-384',
      '-nodes',
      '-keyout',
      'imp.key',
      '-out',
      'imp.pem',
      '-subj',
      '/CN=imported.example.com',
      '-days',
      '3',
    ]);
    const imp = (
      await t.api('POST', '/api/v1/certificates/import', { pem: `${w.read('imp.pem')}${w.read('imp.key')}` })
    ).json;
    certIds.push(imp.id);
    for (const id of certIds) {
      const res = await t.api('POST', `/api/v1/certificates/${id}/export`, { format: 'pem', include: ['key'] });
      expect(res.text).toContain('PRIVATE KEY');
      keys.push(res.text);
    }
    // The authority's own key, read through the service (the API never hands it out).
    const caKey = await t.services.keys.load(t.services.db, (await t.services.authorities.get(root.id)).private_key_id);
    keys.push(caKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  });
  afterAll(async () => {
    await t?.stop();
    w?.remove();
  });

  it('stores no private key bytes or PEM in the database', async () => {
    let stored: Buffer;
    if (dialect === 'sqlite') {
      // The main file and its WAL: a key must appear in neither.
      const files = fs.readdirSync(t.dataDir).filter((f) => f.startsWith('tarsier.db'));
      expect(files).toContain('tarsier.db');
      stored = Buffer.concat(files.map((f) => fs.readFileSync(path.join(t.dataDir, f))));
    } else {
      stored = execFileSync('pg_dump', ['--no-owner', t.databaseUrl!]);
      expect(stored.toString()).toContain('CREATE TABLE public.private_keys');
    }
    expect(stored.length).toBeGreaterThan(10_000);
    expect(stored.includes('PRIVATE KEY')).toBe(false);
    expect(keys).toHaveLength(5);
    for (const pem of keys) for (const form of fingerprintsOf(pem)) expect(stored.includes(form)).toBe(false);
    // The certificates themselves are there in the clear (so the check above can find bytes at all).
    const cert = (await t.api('GET', `/api/v1/certificates/${certIds[0]}`)).json.pem.replace(/-----[^-]+-----|\s/g, '');
    const certDer = Buffer.from(cert, 'base64');
    expect(stored.includes(certDer) || stored.includes(Buffer.from(certDer.toString('hex')))).toBe(true);
  });

  it('rotates master keys: every stored key re-wrapped under the newest, all still readable', async () => {
    const file = masterKeysFile({ dataDir: t.dataDir });
    const before = fs.readFileSync(file, 'utf8');
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
    const added = appendMasterKey(file);
    // A second process with the new key ring (as after a restart) re-wraps and serves the same keys.
    const cfg = loadServerConfig({ dataDir: t.dataDir, port: 0, databaseUrl: t.databaseUrl, logLevel: 'silent' }, {});
    const second = await startServer(cfg, () => {});
    try {
      const result = await second.services.keys.rotate(second.services.db);
      expect(result).toEqual({ rewrapped: 5, masterKeyId: added.id });
      const ids = await second.services.db.selectFrom('private_keys').select('master_key_id').execute();
      expect(new Set(ids.map((r) => r.master_key_id))).toEqual(new Set([added.id]));
      expect((await second.services.keys.rotate(second.services.db)).rewrapped).toBe(0);
    } finally {
      await second.stop();
    }
    // Drop the old master key entirely: the keys must still open with the new one alone.
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace(
        before
          .trim()
          .split('\n')
          .filter((l) => !l.startsWith('#'))
          .join('\n'),
        '',
      ),
      { mode: 0o600 },
    );
    const third = await startServer(
      loadServerConfig({ dataDir: t.dataDir, port: 0, databaseUrl: t.databaseUrl, logLevel: 'silent' }, {}),
      () => {},
    );
    try {
      const key = await third.services.keys.load(third.services.db, 1);
      expect(key.type).toBe('private');
      const row = await third.services.certificates.get(certIds[0]!);
      const again = await third.services.keys.load(third.services.db, row.private_key_id!);
      expect(again.export({ type: 'pkcs8', format: 'pem' })).toBe(
        createPrivateKey(keys[0]!).export({ type: 'pkcs8', format: 'pem' }),
      );
    } finally {
      await third.stop();
    }
  });
});
