// External issuers (ACME, CFSSL, … plugins), the pending certificates they are working on, and HTTP-01 tokens
// that every Tarsier process must be able to answer. Certificates from an issuer name it in issuer_id.
import type { Kysely } from 'kysely';
import type { DialectOps } from '../dialect.ts';

export async function up(db: Kysely<unknown>, d: DialectOps): Promise<void> {
  await d
    .addId(db.schema.createTable('issuers'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('plugin', 'text', (c) => c.notNull())
    .addColumn('options', 'text', (c) => c.notNull())
    // The plugin's secrets, sealed like a private key (private_keys row), so master-key rotation covers them.
    .addColumn('secrets_id', 'integer', (c) => c.references('private_keys.id'))
    .addColumn('owner', 'text')
    .addColumn('description', 'text')
    .addColumn('disabled_reason', 'text')
    .addColumn('checked_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('certificates').addColumn('issuer_id', 'integer').execute();

  await d
    .addId(db.schema.createTable('pending_certificates'))
    .addColumn('issuer_id', 'integer', (c) => c.notNull().references('issuers.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('common_name', 'text', (c) => c.notNull())
    .addColumn('names', 'text', (c) => c.notNull())
    .addColumn('owner', 'text')
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('csr_pem', 'text', (c) => c.notNull())
    .addColumn('private_key_id', 'integer', (c) => c.references('private_keys.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('upstream_error', 'text')
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .addColumn('certificate_id', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('pending_certificates_due')
    .on('pending_certificates')
    .columns(['status', 'next_attempt_at', 'id'])
    .execute();

  await db.schema
    .createTable('acme_challenges')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('key_authorization', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}
