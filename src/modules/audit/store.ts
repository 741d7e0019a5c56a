// Queries of the audit log. Events are only ever inserted; nothing here updates or deletes an event. The one-row
// table audit_head holds the chain's last seq and hash; taking its row lock (the UPDATE in lockHead) is what
// makes concurrent writers chain one after another, in both databases, without asking which one this is.
import type { Kysely, Transaction } from 'kysely';
import type { Db } from '../../db/index.ts';
import { insertRow } from '../../db/insert-cache.ts';
import type { AuditEventRow, Database, NewAuditEvent } from '../../db/schema.ts';

interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

type WithHead = Kysely<Database & { audit_head: AuditHeadTable }>;
const withHead = (db: Db): WithHead => db.withTables<{ audit_head: AuditHeadTable }>();

export function insertEvent(db: Db, event: NewAuditEvent): Promise<void> {
  return insertRow(db, 'audit_events', event);
}

/**
 * Advances the head by one and returns the new seq with the previous event's hash. The UPDATE locks the head row
 * until the transaction ends: a concurrent writer waits here and then reads the head as this one left it
 * (PostgreSQL re-reads an updated row under READ COMMITTED; SQLite has one writer at a time anyway).
 */
export async function lockHead(trx: Transaction<Database>): Promise<{ seq: number; prevHash: string } | undefined> {
  const row = await withHead(trx)
    .updateTable('audit_head')
    .set((eb) => ({ seq: eb('seq', '+', 1) }))
    .where('id', '=', 1)
    .returning(['seq', 'hash'])
    .executeTakeFirst();
  return row && { seq: Number(row.seq), prevHash: row.hash };
}

export async function setHeadHash(trx: Transaction<Database>, hash: string): Promise<void> {
  await withHead(trx).updateTable('audit_head').set({ hash }).where('id', '=', 1).execute();
}

/** Moves the head, already locked by this transaction (lockHead), to `seq` and `hash`. */
export async function setHead(trx: Transaction<Database>, seq: number, hash: string): Promise<void> {
  await withHead(trx).updateTable('audit_head').set({ seq, hash }).where('id', '=', 1).execute();
}

export async function findHead(db: Db): Promise<AuditHeadTable | undefined> {
  return withHead(db).selectFrom('audit_head').selectAll().where('id', '=', 1).executeTakeFirst();
}

/** Events in chain order after `afterSeq`, up to and including `untilSeq`. */
export function listChainPage(db: Db, afterSeq: number, untilSeq: number, limit: number): Promise<AuditEventRow[]> {
  return db
    .selectFrom('audit_events')
    .selectAll()
    .where('seq', '>', afterSeq)
    .where('seq', '<=', untilSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/** The first event without a place in the chain (inserted around Tarsier): the seq walk cannot see it. */
export function findUnchained(db: Db): Promise<AuditEventRow | undefined> {
  return db.selectFrom('audit_events').selectAll().where('seq', 'is', null).orderBy('id').limit(1).executeTakeFirst();
}

export async function findMaxSeq(db: Db): Promise<number | null> {
  const row = await db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.max('seq').as('max'))
    .executeTakeFirst();
  return row?.max == null ? null : Number(row.max);
}

export function listForTarget(db: Db, targetType: string, targetId: string) {
  return db
    .selectFrom('audit_events')
    .selectAll()
    .where('target_type', '=', targetType)
    .where('target_id', '=', targetId)
    .orderBy('id')
    .execute();
}

export interface EventFilter {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  /** ISO-8601 UTC bounds on `at`, both inclusive. */
  since?: string;
  until?: string;
  /** Keyset: only events with a smaller id (the list runs newest first). */
  beforeId?: number;
  limit: number;
}

/** Newest first, by id; one row more than `limit` tells the caller there is a next page. */
export function listEvents(db: Db, f: EventFilter): Promise<AuditEventRow[]> {
  let q = db.selectFrom('audit_events').selectAll();
  if (f.actor !== undefined) q = q.where('actor', '=', f.actor);
  if (f.action !== undefined) q = q.where('action', '=', f.action);
  if (f.targetType !== undefined) q = q.where('target_type', '=', f.targetType);
  if (f.targetId !== undefined) q = q.where('target_id', '=', f.targetId);
  if (f.since !== undefined) q = q.where('at', '>=', f.since);
  if (f.until !== undefined) q = q.where('at', '<=', f.until);
  if (f.beforeId !== undefined) q = q.where('id', '<', f.beforeId);
  return q
    .orderBy('id', 'desc')
    .limit(f.limit + 1)
    .execute();
}
