// The audit log becomes a hash chain: each event gets its place (`seq`), the hash of the event before it and its own
// hash, and the one-row table audit_head keeps the last seq and hash, so that deleting the newest events is caught
// too. Existing events are chained here in id order (the order they were written in).
import type { Kysely } from 'kysely';
import { eventHash, GENESIS_HASH } from '../../modules/audit/chain.ts';
import type { DialectOps } from '../dialect.ts';
import type { AuditEventsTable } from '../schema.ts';

interface LegacyEvent extends Omit<AuditEventsTable, 'id' | 'seq' | 'prev_hash' | 'hash'> {
  id: number;
}

export async function up(db: Kysely<unknown>, _d: DialectOps): Promise<void> {
  await db.schema.alterTable('audit_events').addColumn('seq', 'integer').execute();
  await db.schema.alterTable('audit_events').addColumn('prev_hash', 'text').execute();
  await db.schema.alterTable('audit_events').addColumn('hash', 'text').execute();

  const typed = db as unknown as Kysely<{
    audit_events: LegacyEvent & { seq: number; prev_hash: string; hash: string };
  }>;
  let seq = 0;
  let prev = GENESIS_HASH;
  let afterId = 0;
  for (;;) {
    const rows = await typed
      .selectFrom('audit_events')
      .select(['id', 'at', 'actor', 'action', 'target_type', 'target_id', 'client_address', 'outcome', 'details'])
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(5000)
      .execute();
    for (const row of rows) {
      seq += 1;
      const hash = eventHash({ ...row, seq, prev_hash: prev });
      await typed.updateTable('audit_events').set({ seq, prev_hash: prev, hash }).where('id', '=', row.id).execute();
      prev = hash;
      afterId = row.id;
    }
    if (rows.length < 5000) break;
  }

  await db.schema.createIndex('audit_events_seq').unique().on('audit_events').column('seq').execute();
  // The list filters: each ends in id, the keyset order of GET /api/v1/audit-events.
  await db.schema.createIndex('audit_events_actor').on('audit_events').columns(['actor', 'id']).execute();
  await db.schema.createIndex('audit_events_action').on('audit_events').columns(['action', 'id']).execute();
  await db.schema.createIndex('audit_events_at').on('audit_events').columns(['at', 'id']).execute();

  await db.schema
    .createTable('audit_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await (db as unknown as Kysely<{ audit_head: { id: number; seq: number; hash: string } }>)
    .insertInto('audit_head')
    .values({ id: 1, seq, hash: prev })
    .execute();
}
