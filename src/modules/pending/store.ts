// Queries of pending certificates. Claiming is a conditional update, so two processes never work one row at once
// and a crashed process's claim runs out by itself (locked_until).
import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { PendingCertificatesTable, PendingStatus } from '../../db/schema.ts';

export async function insertPending(db: Db, row: Insertable<PendingCertificatesTable>): Promise<number> {
  const r = await db.insertInto('pending_certificates').values(row).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export function findPending(db: Db, id: number) {
  return db
    .selectFrom('pending_certificates as p')
    .innerJoin('issuers as i', 'i.id', 'p.issuer_id')
    .selectAll('p')
    .select('i.name as issuer_name')
    .where('p.id', '=', id)
    .executeTakeFirst();
}

export function listPending(
  db: Db,
  f: { status?: PendingStatus; issuerId?: number; owners?: string[]; limit: number },
) {
  let q = db
    .selectFrom('pending_certificates as p')
    .innerJoin('issuers as i', 'i.id', 'p.issuer_id')
    .selectAll('p')
    .select('i.name as issuer_name');
  if (f.status) q = q.where('p.status', '=', f.status);
  if (f.issuerId) q = q.where('p.issuer_id', '=', f.issuerId);
  if (f.owners) q = q.where('p.owner', 'in', f.owners.length ? f.owners : ['']);
  return q.orderBy('p.id', 'desc').limit(f.limit).execute();
}

/** Ids of pending rows whose next attempt is due and that nobody holds. */
export async function dueIds(db: Db, now: string, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('pending_certificates')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Holds a row until `until` when it is still pending and free; true when this caller got it. */
export async function claim(db: Db, id: number, now: string, until: string, force = false): Promise<boolean> {
  const r = await db
    .updateTable('pending_certificates')
    .set({ locked_until: until })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .$if(!force, (q) => q.where('next_attempt_at', '<=', now))
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function updatePending(db: Db, id: number, changes: Updateable<PendingCertificatesTable>) {
  await db.updateTable('pending_certificates').set(changes).where('id', '=', id).execute();
}
