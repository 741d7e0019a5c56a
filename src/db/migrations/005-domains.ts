// Registered domains (some sensitive) and certificate requests held for approval.
import type { Kysely } from 'kysely';
import type { DialectOps } from '../dialect.ts';

export async function up(db: Kysely<unknown>, d: DialectOps): Promise<void> {
  await d
    .addId(db.schema.createTable('domains'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('sensitive', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('description', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .execute();
  await d
    .addId(db.schema.createTable('certificate_requests'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('authority_id', 'integer', (c) => c.notNull().references('authorities.id'))
    .addColumn('requester_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('names', 'text', (c) => c.notNull())
    .addColumn('held_for', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decision_comment', 'text')
    .addColumn('certificate_id', 'integer')
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('certificate_requests_status')
    .on('certificate_requests')
    .columns(['status', 'id'])
    .execute();
}
