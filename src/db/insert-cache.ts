// Hot inserts without rebuilding their SQL. Kysely builds and compiles every query anew: ≈18 µs for a five-column
// insert and more for the certificate row's thirty, measured against running its compiled SQL again (issuance
// makes three such inserts per certificate). Here the SQL Kysely compiled for a table and column list is kept and
// run again with the new row's values. A column list is cached only after its first compile is seen to take the
// row's values as they are, one parameter per column in order; otherwise that shape always goes through Kysely.
import { CompiledQuery, type Insertable, type Selectable } from 'kysely';
import type { Db } from './index.ts';
import type { Database } from './schema.ts';

type Table = keyof Database;
/** A compiled insert's SQL, or null when its parameters are not the row's values one by one. */
type Entry = string | null;

// Keyed by the dialect's adapter: one per database (SQLite and PostgreSQL compile different SQL).
const caches = new WeakMap<object, Map<string, Entry>>();

function sameValues(parameters: readonly unknown[], values: unknown[]): boolean {
  return parameters.length === values.length && parameters.every((p, i) => p === values[i]);
}

async function run<T extends Table, R>(
  db: Db,
  table: T,
  row: Insertable<Database[T]>,
  returning: 'id' | '*' | null,
): Promise<R[]> {
  const record = row as Record<string, unknown>;
  const columns = Object.keys(record).filter((k) => record[k] !== undefined);
  const values = columns.map((k) => record[k]);
  const adapter = db.getExecutor().adapter;
  let cache = caches.get(adapter);
  if (!cache) {
    cache = new Map();
    caches.set(adapter, cache);
  }
  const key = `${table}|${returning}|${columns.join(',')}`;
  const cached = cache.get(key);
  if (typeof cached === 'string') {
    return (await db.executeQuery<R>(CompiledQuery.raw(cached, values))).rows;
  }
  const base = db.insertInto(table).values(row as never);
  const query = returning === 'id' ? base.returning('id' as never) : returning === '*' ? base.returningAll() : base;
  const compiled = query.compile();
  if (cached === undefined && cache.size < 200) {
    cache.set(key, sameValues(compiled.parameters, values) ? compiled.sql : null);
  }
  return (await db.executeQuery<R>(compiled)).rows;
}

/** Inserts one row; resolves with its generated id. */
export async function insertReturningId<T extends Table>(db: Db, table: T, row: Insertable<Database[T]>) {
  const rows = await run<T, { id: number }>(db, table, row, 'id');
  if (!rows[0]) throw new Error(`insert into ${table} returned no row`);
  return rows[0].id;
}

/** Inserts one row; resolves with the stored row (defaults filled in). */
export async function insertReturningAll<T extends Table>(db: Db, table: T, row: Insertable<Database[T]>) {
  const rows = await run<T, Selectable<Database[T]>>(db, table, row, '*');
  if (!rows[0]) throw new Error(`insert into ${table} returned no row`);
  return rows[0];
}

/** Inserts one row. */
export async function insertRow<T extends Table>(db: Db, table: T, row: Insertable<Database[T]>): Promise<void> {
  await run(db, table, row, null);
}
