// Queries of the audit log. Events are only ever inserted; nothing here updates or deletes.
import type { Db } from '../../db/index.ts';
import type { NewAuditEvent } from '../../db/schema.ts';

export async function insertEvent(db: Db, event: NewAuditEvent): Promise<void> {
  await db.insertInto('audit_events').values(event).execute();
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

export function listRecent(db: Db, filter: { action?: string; actor?: string; limit: number }) {
  let q = db.selectFrom('audit_events').selectAll();
  if (filter.action) q = q.where('action', '=', filter.action);
  if (filter.actor) q = q.where('actor', '=', filter.actor);
  return q.orderBy('id', 'desc').limit(filter.limit).execute();
}
