// Group commit on each dialect: works submitted together share one transaction and all commit; a work that throws
// fails alone (its batch is rolled back and the others run again, each alone); a lone work runs at once.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testDialects } from '../../test/harness/databases.ts';
import { createTransactionBatcher } from './batch.ts';
import type { OpenDatabase } from './index.ts';

describe.each(testDialects())('transaction batcher on %s', (dialect) => {
  let open: OpenDatabase;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const db = await openTestDatabase(dialect, 'FULL');
    open = db.open;
    cleanup = db.close;
    await sql`CREATE TABLE batch_rows (name TEXT PRIMARY KEY)`.execute(open.db);
  });
  afterAll(async () => cleanup?.());

  const insert = (name: string) => sql`INSERT INTO batch_rows (name) VALUES (${name})`;
  const names = async () =>
    (await sql<{ name: string }>`SELECT name FROM batch_rows ORDER BY name`.execute(open.db)).rows.map((r) => r.name);

  it('runs works submitted together in one transaction, and commits them all', async () => {
    const batcher = createTransactionBatcher(open.db);
    const seen = new Set<unknown>();
    const results = await Promise.all(
      ['a1', 'a2', 'a3', 'a4'].map((n) =>
        batcher.run(async (trx) => {
          seen.add(trx);
          await insert(n).execute(trx);
          return n.toUpperCase();
        }),
      ),
    );
    expect(results).toEqual(['A1', 'A2', 'A3', 'A4']);
    expect(seen.size).toBe(1);
    expect(await names()).toEqual(['a1', 'a2', 'a3', 'a4']);
  });

  it('fails only the work that threw; the others of its batch still commit', async () => {
    const batcher = createTransactionBatcher(open.db);
    const outcomes = await Promise.allSettled(
      ['b1', 'a1', 'b2'].map((n) => batcher.run(async (trx) => insert(n).execute(trx))), // a1 exists: duplicate key
    );
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await names()).toEqual(['a1', 'a2', 'a3', 'a4', 'b1', 'b2']);
  });

  it('rolls a lone failing work back and reports its own error', async () => {
    const batcher = createTransactionBatcher(open.db);
    await expect(
      batcher.run(async (trx) => {
        await insert('c1').execute(trx);
        throw new Error('refused after writing');
      }),
    ).rejects.toThrow('refused after writing');
    expect(await names()).not.toContain('c1');
  });
});
