// The SQLite dialect's durability: with FULL, a write's caller sees its result only after a WAL sync that began
// after its commit; reads never wait; commits that land during one sync share the next one; and the real sync
// (fdatasync of the -wal file) runs and keeps the data.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createSyncer, durableSqliteDialect } from './sqlite-durable.ts';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const settle = () => new Promise((r) => setTimeout(r, 20));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function open(synchronous: 'FULL' | 'NORMAL', sync?: () => Promise<void>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-durable-'));
  dirs.push(dir);
  const file = path.join(dir, 'x.db');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  const db = new Kysely<{ t: { id: number; v: string } }>({
    dialect: durableSqliteDialect(sqlite, file, synchronous, { sync }),
  });
  await sql`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`.execute(db);
  return { db, sqlite, file };
}

describe('durable SQLite dialect', () => {
  it('returns a committed write only after the WAL sync that follows it', async () => {
    const gates: Array<ReturnType<typeof deferred>> = [];
    let hold = false;
    const { db, sqlite } = await open('FULL', () => {
      if (!hold) return Promise.resolve();
      const g = deferred();
      gates.push(g);
      return g.promise;
    });
    expect(sqlite.pragma('synchronous', { simple: true })).toBe(1); // NORMAL: the per-commit sync is ours
    hold = true;
    let done = false;
    const write = db
      .transaction()
      .execute((trx) => trx.insertInto('t').values({ id: 1, v: 'a' }).execute())
      .then(() => {
        done = true;
      });
    await settle();
    expect(gates).toHaveLength(1);
    expect(done).toBe(false);
    // Committed already (another reader sees it); only the caller is held back until the sync completes.
    expect(new SQLite(sqlite.name, { readonly: true }).prepare('SELECT v FROM t').get()).toEqual({ v: 'a' });
    gates[0]!.resolve();
    await write;
    expect(done).toBe(true);
    await db.destroy();
  });

  it('lets reads through without a sync, and syncs plain (autocommit) writes too', async () => {
    let syncs = 0;
    const { db } = await open('FULL', async () => {
      syncs++;
    });
    syncs = 0;
    await db.selectFrom('t').selectAll().execute();
    expect(syncs).toBe(0);
    await db.insertInto('t').values({ id: 2, v: 'b' }).execute();
    expect(syncs).toBe(1);
    await db.destroy();
  });

  it('shares one sync among the commits made while another sync runs', async () => {
    let syncs = 0;
    const { db } = await open('FULL', async () => {
      syncs++;
      await new Promise((r) => setTimeout(r, 30));
    });
    syncs = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db.transaction().execute((trx) =>
          trx
            .insertInto('t')
            .values({ id: 10 + i, v: 'c' })
            .execute(),
        ),
      ),
    );
    expect(syncs).toBeGreaterThanOrEqual(2);
    expect(syncs).toBeLessThanOrEqual(3);
    expect(await db.selectFrom('t').selectAll().execute()).toHaveLength(20);
    await db.destroy();
  });

  it('with NORMAL waits for no sync', async () => {
    const { db, sqlite } = await open('NORMAL', () => new Promise(() => {}));
    await db.insertInto('t').values({ id: 3, v: 'd' }).execute();
    expect(sqlite.pragma('synchronous', { simple: true })).toBe(1);
    await db.destroy();
  });

  it('syncs the real -wal file', async () => {
    const { db, file } = await open('FULL');
    await db.insertInto('t').values({ id: 4, v: 'e' }).execute();
    expect(fs.existsSync(`${file}-wal`)).toBe(true);
    await db.destroy();
    expect(new SQLite(file, { readonly: true }).prepare('SELECT v FROM t').all()).toEqual([{ v: 'e' }]);
  });
});

describe('createSyncer', () => {
  it('makes a caller that arrives during a sync wait for a fresh one', async () => {
    const gates: Array<ReturnType<typeof deferred>> = [];
    const s = createSyncer(() => {
      const g = deferred();
      gates.push(g);
      return g.promise;
    });
    const first = s.flush();
    const second = s.flush();
    const third = s.flush();
    expect(second).toBe(third);
    expect(gates).toHaveLength(1);
    gates[0]!.resolve();
    await first;
    await settle();
    expect(gates).toHaveLength(2); // the second sync started only after the first ended
    gates[1]!.resolve();
    await second;
  });
});
