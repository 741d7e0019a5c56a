// Queries of the jobs module: the record of job runs.
import type { Db } from '../../db/index.ts';
import type { JobRunsTable } from '../../db/schema.ts';

export async function insertRun(
  db: Db,
  run: { job: string; trigger: string; process: string; started_at: string },
): Promise<number> {
  const row = await db
    .insertInto('job_runs')
    .values({ ...run, status: 'running' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function finishRun(
  db: Db,
  id: number,
  end: { status: JobRunsTable['status']; result: string | null; error: string | null; finished_at: string },
): Promise<void> {
  await db.updateTable('job_runs').set(end).where('id', '=', id).execute();
}

export const findRun = (db: Db, id: number) =>
  db.selectFrom('job_runs').selectAll().where('id', '=', id).executeTakeFirst();

export const lastRun = (db: Db, job: string) =>
  db.selectFrom('job_runs').selectAll().where('job', '=', job).orderBy('id', 'desc').limit(1).executeTakeFirst();

export const listRuns = (db: Db, job: string, limit: number) =>
  db.selectFrom('job_runs').selectAll().where('job', '=', job).orderBy('id', 'desc').limit(limit).execute();

/** Keeps the record bounded: runs of a frequent job (pending retries) would otherwise pile up. */
export async function pruneRuns(db: Db, job: string, before: string): Promise<void> {
  await db.deleteFrom('job_runs').where('job', '=', job).where('started_at', '<', before).execute();
}
