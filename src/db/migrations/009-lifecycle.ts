// Lifecycle automation: job runs (what ran, where, with what result), notification channels, rules, deliveries
// and the marks that keep one notice from going out twice, rotation settings and rotation progress, and the
// results of revocation checks of certificates other CAs issued. Unique keys, not process memory, make the
// background work safe to run from several processes at once.
import type { Kysely } from 'kysely';
import type { DialectOps } from '../dialect.ts';

export async function up(db: Kysely<unknown>, d: DialectOps): Promise<void> {
  await d
    .addId(db.schema.createTable('job_runs'))
    .addColumn('job', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('process', 'text', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('job_runs_by_job').on('job_runs').columns(['job', 'id']).execute();

  await d
    .addId(db.schema.createTable('notification_channels'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('plugin', 'text', (c) => c.notNull())
    .addColumn('options', 'text', (c) => c.notNull())
    // Credentials (SMTP password, webhook URL with its token, signing key), sealed like a private key.
    .addColumn('secrets_id', 'integer', (c) => c.references('private_keys.id'))
    .addColumn('owners', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await d
    .addId(db.schema.createTable('notification_rules'))
    .addColumn('channel_id', 'integer', (c) => c.notNull().references('notification_channels.id').onDelete('cascade'))
    .addColumn('match', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .execute();

  await db.schema
    .createTable('notification_marks')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('event_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_marks_pk', ['subject', 'event_key'])
    .execute();

  await d
    .addId(db.schema.createTable('notification_deliveries'))
    .addColumn('channel_id', 'integer', (c) => c.notNull().references('notification_channels.id').onDelete('cascade'))
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema
    .createIndex('notification_deliveries_due')
    .on('notification_deliveries')
    .columns(['status', 'next_attempt_at', 'id'])
    .execute();

  await db.schema
    .createTable('rotation_settings')
    .addColumn('certificate_id', 'integer', (c) => c.primaryKey().references('certificates.id'))
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('days_before', 'integer', (c) => c.notNull())
    .addColumn('revoke_after_days', 'integer')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await d
    .addId(db.schema.createTable('rotations'))
    .addColumn('certificate_id', 'integer', (c) => c.notNull().unique().references('certificates.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('new_certificate_id', 'integer')
    .addColumn('pending_id', 'integer')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('old_revoked_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('revocation_checks')
    .addColumn('certificate_id', 'integer', (c) => c.primaryKey().references('certificates.id'))
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('checked_at', 'text', (c) => c.notNull())
    .execute();
}
