// Queries of certificate requests held for approval.
import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { Database } from '../../db/schema.ts';

export async function insertRequest(db: Db, row: Insertable<Database['certificate_requests']>): Promise<number> {
  return (await db.insertInto('certificate_requests').values(row).returning('id').executeTakeFirstOrThrow()).id;
}

export const findRequest = (db: Db, id: number) =>
  db.selectFrom('certificate_requests').selectAll().where('id', '=', id).executeTakeFirst();

export function listRequests(db: Db, filter: { status?: string; requesterId?: number; limit: number }) {
  let q = db.selectFrom('certificate_requests').selectAll();
  if (filter.status) q = q.where('status', '=', filter.status as never);
  if (filter.requesterId !== undefined) q = q.where('requester_id', '=', filter.requesterId);
  return q.orderBy('id', 'desc').limit(filter.limit).execute();
}

/** Moves a pending request to its decision; returns false when it was no longer pending (a race lost). */
export async function decide(
  db: Db,
  id: number,
  changes: Updateable<Database['certificate_requests']>,
): Promise<boolean> {
  const r = await db
    .updateTable('certificate_requests')
    .set(changes)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function updateRequest(
  db: Db,
  id: number,
  changes: Updateable<Database['certificate_requests']>,
): Promise<void> {
  await db.updateTable('certificate_requests').set(changes).where('id', '=', id).execute();
}
