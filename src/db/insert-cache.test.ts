// Cached inserts on each dialect: repeated rows of one shape, rows that leave columns out (undefined), returning
// the id or the stored row with its defaults, and a value that is an SQL expression (never cached: it must still
// be evaluated by the database). A spy on Kysely's insertInto shows which inserts were built.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openTestDatabase, testDialects } from '../../test/harness/databases.ts';
import { migrateToLatest, type OpenDatabase } from './index.ts';
import { insertReturningAll, insertReturningId, insertRow } from './insert-cache.ts';

describe.each(testDialects())('cached inserts on %s', (dialect) => {
  let open: OpenDatabase;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const db = await openTestDatabase(dialect);
    open = db.open;
    cleanup = db.close;
    await migrateToLatest(open);
  });
  afterAll(async () => cleanup?.());

  const domain = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    description: null,
    created_at: '2026-12-07T00:00:00.000Z',
    created_by: 'test',
    ...extra,
  });

  it('inserts rows of one shape again and again with their own values', async () => {
    const ids: number[] = [];
    for (const n of ['a.test', 'b.test', 'c.test']) ids.push(await insertReturningId(open.db, 'domains', domain(n)));
    expect(new Set(ids).size).toBe(3);
    const rows = await open.db.selectFrom('domains').select(['id', 'name', 'sensitive']).orderBy('id').execute();
    expect(rows.map((r) => [r.id, r.name, r.sensitive])).toEqual(
      ids.map((id, i) => [id, `${['a', 'b', 'c'][i]}.test`, 0]),
    );
  });

  it('leaves out undefined columns, returns the stored row with defaults, and works in a transaction', async () => {
    const row = await open.db.transaction().execute(async (trx) => {
      await insertRow(trx, 'domains', domain('d.test', { sensitive: 1 }));
      return insertReturningAll(trx, 'domains', domain('e.test', { sensitive: undefined, description: 'five' }));
    });
    expect(row).toMatchObject({ name: 'e.test', sensitive: 0, description: 'five', created_by: 'test' });
    const d = await open.db.selectFrom('domains').select('sensitive').where('name', '=', 'd.test').executeTakeFirst();
    expect(d?.sensitive).toBe(1);
  });

  it('builds a shape once, but an SQL expression every time (the database must evaluate it)', async () => {
    const built = vi.spyOn(open.db, 'insertInto');
    try {
      // A column order not seen before: the first insert builds it, the second reuses it.
      const shape = (name: string) => ({
        created_by: 'test',
        name,
        description: 'shape-x',
        created_at: '2026-12-07T00:00:00.000Z',
      });
      await insertRow(open.db, 'domains', shape('f.test'));
      await insertRow(open.db, 'domains', shape('g.test'));
      expect(built).toHaveBeenCalledTimes(1);
      const later = sql<string>`'2030-01-0' || ${'1'}`;
      for (const n of ['h.test', 'i.test']) await insertRow(open.db, 'domains', domain(n, { created_at: later }));
      expect(built).toHaveBeenCalledTimes(3);
    } finally {
      built.mockRestore();
    }
    const rows = await open.db
      .selectFrom('domains')
      .select(['name', 'created_at'])
      .where('name', 'in', ['g.test', 'h.test', 'i.test'])
      .orderBy('name')
      .execute();
    expect(rows).toEqual([
      { name: 'g.test', created_at: '2026-12-07T00:00:00.000Z' },
      { name: 'h.test', created_at: '2030-01-01' },
      { name: 'i.test', created_at: '2030-01-01' },
    ]);
  });
});
