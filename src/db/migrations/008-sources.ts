// Sources (configured discovery plugins), their runs with one row per item scanned, and endpoints: the places a
// certificate was seen (a TLS host:port with its SNI name, a file, a destination path), with every certificate
// each place has shown, so that a change or a disappearance stays visible after the fact.
import type { Kysely } from 'kysely';
import type { DialectOps } from '../dialect.ts';

export async function up(db: Kysely<unknown>, d: DialectOps): Promise<void> {
  await d
    .addId(db.schema.createTable('sources'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('plugin', 'text', (c) => c.notNull())
    .addColumn('options', 'text', (c) => c.notNull())
    // PKCS#12 passwords and other credentials, sealed like a private key (private_keys row).
    .addColumn('secrets_id', 'integer', (c) => c.references('private_keys.id'))
    .addColumn('owner', 'text')
    .addColumn('description', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await d
    .addId(db.schema.createTable('source_runs'))
    .addColumn('source_id', 'integer', (c) => c.notNull().references('sources.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('items_total', 'integer')
    .addColumn('items_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('items_failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('certificates_new', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('endpoints_gone', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('started_by', 'text')
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('source_runs_source').on('source_runs').columns(['source_id', 'id']).execute();

  await d
    .addId(db.schema.createTable('endpoints'))
    .addColumn('kind', 'text', (c) => c.notNull())
    // One text per place (e.g. `tls://127.0.0.1:8443#www.example.com`, `file:///etc/ssl/a.pem`): the identity.
    .addColumn('location', 'text', (c) => c.notNull().unique())
    .addColumn('host', 'text')
    .addColumn('port', 'integer')
    .addColumn('server_name', 'text')
    .addColumn('path', 'text')
    .addColumn('destination_id', 'integer')
    .addColumn('source_id', 'integer', (c) => c.references('sources.id').onDelete('set null'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('certificate_id', 'integer', (c) => c.references('certificates.id'))
    .addColumn('previous_certificate_id', 'integer', (c) => c.references('certificates.id'))
    .addColumn('problems', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'text')
    .addColumn('gone_at', 'text')
    .execute();
  await db.schema.createIndex('endpoints_source').on('endpoints').columns(['source_id', 'id']).execute();

  await db.schema
    .createTable('endpoint_certificates')
    .addColumn('endpoint_id', 'integer', (c) => c.notNull().references('endpoints.id').onDelete('cascade'))
    .addColumn('certificate_id', 'integer', (c) => c.notNull().references('certificates.id'))
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('endpoint_certificates_pk', ['endpoint_id', 'certificate_id'])
    .execute();
  await db.schema
    .createIndex('endpoint_certificates_certificate')
    .on('endpoint_certificates')
    .columns(['certificate_id'])
    .execute();

  await d
    .addId(db.schema.createTable('source_run_items'))
    .addColumn('run_id', 'integer', (c) => c.notNull().references('source_runs.id').onDelete('cascade'))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('certificate_id', 'integer')
    .addColumn('endpoint_id', 'integer')
    .addColumn('is_new', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('change', 'text')
    .addColumn('problems', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('source_run_items_run').on('source_run_items').columns(['run_id', 'id']).execute();
}
