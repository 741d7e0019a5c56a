// A certificate is returned only after its row, its encrypted key and its audit event commit together: when
// any of the three fails, none is left behind (no certificate without its key, no unaudited issuance).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
