// Queries of sources, their runs and the runs' items.
import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { SourceRunItemsTable, SourceRunsTable, SourcesTable } from '../../db/schema.ts';

export function findSource(db: Db, id: number) {
  return db.selectFrom('sources').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findSourceByName(db: Db, name: string) {
  return db.selectFrom('sources').selectAll().where('name', '=', name).executeTakeFirst();
}

export function listSources(db: Db) {
  return db.selectFrom('sources').selectAll().orderBy('name').execute();
}

export async function insertSource(db: Db, row: Insertable<SourcesTable>): Promise<number> {
  const r = await db.insertInto('sources').values(row).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function updateSource(db: Db, id: number, changes: Updateable<SourcesTable>): Promise<void> {
  await db.updateTable('sources').set(changes).where('id', '=', id).execute();
}

/** Deletes a source with its runs and items (endpoints stay, without their source). */
export async function deleteSource(db: Db, id: number): Promise<void> {
  const runs = db.selectFrom('source_runs').select('id').where('source_id', '=', id);
  await db.deleteFrom('source_run_items').where('run_id', 'in', runs).execute();
  await db.deleteFrom('source_runs').where('source_id', '=', id).execute();
  await db.updateTable('endpoints').set({ source_id: null }).where('source_id', '=', id).execute();
  await db.deleteFrom('sources').where('id', '=', id).execute();
}

export async function insertRun(db: Db, row: Insertable<SourceRunsTable>): Promise<number> {
  const r = await db.insertInto('source_runs').values(row).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function updateRun(db: Db, id: number, changes: Updateable<SourceRunsTable>): Promise<void> {
  await db.updateTable('source_runs').set(changes).where('id', '=', id).execute();
}

export function findRun(db: Db, id: number) {
  return db.selectFrom('source_runs').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listRuns(db: Db, sourceId: number, limit: number) {
  return db
    .selectFrom('source_runs')
    .selectAll()
    .where('source_id', '=', sourceId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function insertItem(db: Db, row: Insertable<SourceRunItemsTable>): Promise<void> {
  await db.insertInto('source_run_items').values(row).execute();
}

export function listItems(
  db: Db,
  runId: number,
  f: { status?: SourceRunItemsTable['status']; after?: number; limit: number },
) {
  let q = db.selectFrom('source_run_items').selectAll().where('run_id', '=', runId).orderBy('id').limit(f.limit);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.after !== undefined) q = q.where('id', '>', f.after);
  return q.execute();
}
