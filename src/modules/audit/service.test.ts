import { type Kysely, type Migration, Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testDialects } from '../../../test/harness/databases.ts';
import { migrateToLatest, type OpenDatabase } from '../../db/index.ts';
import * as m001 from '../../db/migrations/001-initial.ts';
import * as m002 from '../../db/migrations/002-revocation.ts';
import * as m003 from '../../db/migrations/003-audit-chain.ts';
import { type AuditService, createAuditService } from './service.ts';

/** Applies the named migrations only, to build a database as an older Tarsier left it. */
async function migrateThrough(open: OpenDatabase, mods: Record<string, typeof m001>): Promise<void> {
  const migrations: Record<string, Migration> = {};
  for (const [name, mod] of Object.entries(mods)) migrations[name] = { up: (db) => mod.up(db, open.dialect) };
  const { error } = await new Migrator({
    db: open.db,
    provider: { getMigrations: async () => migrations },
  }).migrateToLatest();
  if (error) throw error;
}

describe.each(testDialects())('audit service on %s', (dialect) => {
  let t: Awaited<ReturnType<typeof openTestDatabase>>;
  let audit: AuditService;
  let now = new Date('2026-05-01T00:00:00Z');
  const event = (action: string, n = 0) => ({
    actor: 'user:alice',
    action,
    target: { type: 'certificate', id: n },
    clientAddress: '192.0.2.1',
    outcome: 'success' as const,
    details: { n },
  });

  beforeAll(async () => {
    t = await openTestDatabase(dialect);
    await migrateToLatest(t.open);
    audit = createAuditService({ db: t.open.db, clock: () => now });
  });
  afterAll(async () => t?.close());

  it('chains events written with the database and inside a transaction', async () => {
    const before = await audit.verify();
    await audit.record(t.open.db, event('test.plain', 1));
    await t.open.db.transaction().execute((trx) => audit.record(trx, event('test.trx', 2)));
    const [second, first] = (await audit.list({ actor: 'user:alice', limit: 2 })).items;
    expect(before.ok).toBe(true);
    if (!before.ok) return;
    expect(first).toMatchObject({ seq: before.headSeq + 1, action: 'test.plain', prevHash: before.headHash });
    expect(first).toMatchObject({ actor: 'user:alice', clientAddress: '192.0.2.1', details: { n: 1 } });
    expect(second).toMatchObject({ seq: before.headSeq + 2, action: 'test.trx', prevHash: first!.hash });
    expect(await audit.verify()).toMatchObject({ ok: true, count: before.count + 2, headHash: second!.hash });
  });

  it('rolls the event and the head back with the caller’s transaction', async () => {
    const before = await audit.verify();
    await expect(
      t.open.db.transaction().execute(async (trx) => {
        await audit.record(trx, event('test.rolled-back'));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect((await audit.list({ action: 'test.rolled-back' })).items).toEqual([]);
    expect(await audit.verify()).toEqual(before);
  });

  it('keeps one chain when many writers record at once', async () => {
    const before = await audit.verify();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2
          ? audit.record(t.open.db, event('test.concurrent', i))
          : t.open.db.transaction().execute((trx) => audit.record(trx, event('test.concurrent', i))),
      ),
    );
    const report = await audit.verify();
    expect(report).toMatchObject({ ok: true });
    expect(report.ok && before.ok && report.headSeq - before.headSeq).toBe(40);
  });

  it('chains several events of one transaction (group commit) and of transactions running beside it', async () => {
    const before = await audit.verify();
    await Promise.all([
      t.open.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 5; i++) await audit.record(trx, event('test.batched', i));
      }),
      ...Array.from({ length: 5 }, (_, i) =>
        t.open.db.transaction().execute((trx) => audit.record(trx, event('test.beside', i))),
      ),
    ]);
    const report = await audit.verify();
    expect(report).toMatchObject({ ok: true, count: before.ok ? before.count + 10 : -1 });
    expect(report.ok && before.ok && report.headSeq - before.headSeq).toBe(10);
    const batched = (await audit.list({ action: 'test.batched' })).items.reverse();
    expect(batched.map((e) => e.details.n)).toEqual([0, 1, 2, 3, 4]);
    for (let i = 1; i < batched.length; i++) expect(batched[i]!.prevHash).toBe(batched[i - 1]!.hash);
  });

  it('pages newest first and filters by time', async () => {
    now = new Date('2026-06-01T12:00:00Z');
    await audit.record(t.open.db, event('test.june'));
    const june = await audit.list({ since: '2026-06-01', until: '2026-06-01' });
    expect(june.items.map((e) => e.action)).toEqual(['test.june']);
    expect((await audit.list({ until: '2026-05-31T23:59:59Z', action: 'test.june' })).items).toEqual([]);
    for (let i = 0; i < 15; i++) await audit.record(t.open.db, event('test.paging', i));
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await audit.list({ action: 'test.paging', limit: 4, cursor });
      seen.push(...page.items.map((e) => e.id));
      cursor = page.next ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(15);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    await expect(audit.list({ since: 'yesterday' })).rejects.toThrow(/^since: 'yesterday' is not a date/);
    await expect(audit.list({ cursor: 'bogus' })).rejects.toThrow(/^cursor: /);
  });
});

describe.each(testDialects())('migration 003 on %s', (dialect) => {
  let t: Awaited<ReturnType<typeof openTestDatabase>>;
  afterAll(async () => t?.close());

  it('chains the events written before it, in id order, and the chain continues from there', async () => {
    t = await openTestDatabase(dialect);
    await migrateThrough(t.open, { '001-initial': m001, '002-revocation': m002 });
    const legacy = t.open.db as unknown as Kysely<{ audit_events: Record<string, string | null> }>;
    for (const action of ['old.one', 'old.two', 'old.three']) {
      await legacy
        .insertInto('audit_events')
        .values({
          at: '2025-01-01T00:00:00.000Z',
          actor: 'user:admin',
          action,
          target_type: null,
          target_id: null,
          client_address: null,
          outcome: 'success',
          details: '{}',
        })
        .execute();
    }
    await migrateThrough(t.open, { '001-initial': m001, '002-revocation': m002, '003-audit-chain': m003 });
    const audit = createAuditService({ db: t.open.db, clock: () => new Date() });
    expect(await audit.verify()).toMatchObject({ ok: true, count: 3, headSeq: 3 });
    await audit.record(t.open.db, { actor: 'user:admin', action: 'new.one', outcome: 'success' });
    const [latest, oldest] = [(await audit.list({ limit: 1 })).items[0], (await audit.list({})).items[3]];
    expect(oldest).toMatchObject({ action: 'old.one', seq: 1 });
    expect(latest).toMatchObject({ action: 'new.one', seq: 4 });
    expect(await audit.verify()).toMatchObject({ ok: true, count: 4 });
  });
});
