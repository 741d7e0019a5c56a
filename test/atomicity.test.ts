// A certificate is returned only after its row, its encrypted key and its audit event commit together: when
// any of the three fails, none is left behind (no certificate without its key, no unaudited issuance).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyPool } from '../src/crypto/key-pool.ts';
import { publicKeySpki } from '../src/crypto/keys.ts';
import { testDialects } from './harness/databases.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

describe.each(testDialects())('atomic issuance on %s', (dialect) => {
  let t: RunningTarsier;
  let ca: any;
  beforeAll(async () => {
    t = await startTarsier({ dialect });
    ca = (
      await t.api('POST', '/api/v1/authorities', { name: 'R', type: 'root', subject: { commonName: 'Atomic Root' } })
    ).json;
  });
  afterAll(async () => t?.stop());

  const counts = async () => {
    const db = t.services.db;
    const n = async (table: 'certificates' | 'private_keys' | 'audit_events') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return { certificates: await n('certificates'), keys: await n('private_keys'), audit: await n('audit_events') };
  };

  it('leaves no certificate and no key behind when the audit write fails', async () => {
    const db = t.services.db;
    if (dialect === 'sqlite') {
      await sql`CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events WHEN NEW.action = 'certificate.issue' BEGIN SELECT RAISE(ABORT, 'audit store down'); END`.execute(
        db,
      );
    } else {
      await sql`CREATE FUNCTION fail_audit() RETURNS trigger AS $$ BEGIN IF NEW.action = 'certificate.issue' THEN RAISE EXCEPTION 'audit store down'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`.execute(
        db,
      );
      await sql`CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION fail_audit()`.execute(
        db,
      );
    }
    const before = await counts();
    const res = await t.api('POST', '/api/v1/certificates', { authorityId: ca.id, commonName: 'lost.example.com' });
    expect(res.status).toBe(500);
    expect(res.json.error.code).toBe('internal');
    expect(res.text).not.toContain('audit store down'); // internals go to the log, not to the caller
    expect(await counts()).toEqual(before);

    await sql`DROP TRIGGER fail_audit${sql.raw(dialect === 'postgres' ? ' ON audit_events' : '')}`.execute(db);
    const ok = await t.api('POST', '/api/v1/certificates', { authorityId: ca.id, commonName: 'kept.example.com' });
    expect(ok.status).toBe(201);
    const after = await counts();
    expect(after).toEqual({ certificates: before.certificates + 1, keys: before.keys + 1, audit: before.audit + 1 });
  });

  // A shared transaction that fails is rolled back and each issuance in it runs again alone (db/batch.ts), storing
  // its key a second time: every stored key must still be the certificate's own.
  it('stores every key intact when a shared commit fails and its issuances are retried alone', async () => {
    const db = t.services.db;
    const fresh = await keyPool.take('ec-p256');
    const first = await t.services.keys.store(db, fresh.privateKey);
    const again = await t.services.keys.store(db, fresh.privateKey);
    for (const id of [first, again]) {
      const key = await t.services.keys.load(db, id);
      expect(Buffer.from(publicKeySpki(key))).toEqual(Buffer.from(publicKeySpki(fresh.publicKey)));
    }

    await sql`CREATE TRIGGER poison BEFORE INSERT ON certificates WHEN NEW.common_name = 'poison.example.com' BEGIN SELECT RAISE(ABORT, 'poisoned'); END`
      .execute(db)
      .catch(async () => {
        await sql`CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN IF NEW.common_name = 'poison.example.com' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`.execute(
          db,
        );
        await sql`CREATE TRIGGER poison BEFORE INSERT ON certificates FOR EACH ROW EXECUTE FUNCTION poison()`.execute(
          db,
        );
      });
    const names = ['a', 'b', 'poison', 'c', 'd', 'e'].map((n) => `${n}.example.com`);
    const answers = await Promise.all(
      names.map((commonName) => t.api('POST', '/api/v1/certificates', { authorityId: ca.id, commonName })),
    );
    expect(answers.map((a) => a.status)).toEqual([201, 201, 500, 201, 201, 201]);
    for (const a of answers.filter((x) => x.status === 201)) {
      const pem = await t.api('POST', `/api/v1/certificates/${a.json.id}/export`, { format: 'pem', include: ['key'] });
      expect(pem.status).toBe(200);
      const key = createPrivateKey(pem.text);
      expect(Buffer.from(publicKeySpki(key))).toEqual(
        Buffer.from(publicKeySpki(new X509Certificate(a.json.pem).publicKey)),
      );
    }
    await sql`DROP TRIGGER poison${sql.raw(dialect === 'postgres' ? ' ON certificates' : '')}`.execute(db);
  });
});
