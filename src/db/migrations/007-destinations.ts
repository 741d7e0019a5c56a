// Destinations (configured directory, SFTP and webhook plugins) and the record of every deployment: when, where,
// by whom, with what result and output. A deployment may carry a one-time key-retrieval token, stored hashed.
import type { Kysely } from 'kysely';
import type { DialectOps } from '../dialect.ts';

export async function up(db: Kysely<unknown>, d: DialectOps): Promise<void> {
  await d
    .addId(db.schema.createTable('destinations'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('plugin', 'text', (c) => c.notNull())
    .addColumn('options', 'text', (c) => c.notNull())
    // Sealed like a private key (a private_keys row), so master-key rotation covers them.
    .addColumn('secrets_id', 'integer', (c) => c.references('private_keys.id'))
    .addColumn('owner', 'text')
    .addColumn('description', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await d
    .addId(db.schema.createTable('deployments'))
    .addColumn('certificate_id', 'integer', (c) => c.notNull().references('certificates.id'))
    .addColumn('destination_id', 'integer', (c) => c.notNull().references('destinations.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('location', 'text')
    .addColumn('exit_code', 'integer')
    .addColumn('output', 'text')
    .addColumn('error', 'text')
    .addColumn('deployed_at', 'text', (c) => c.notNull())
    .addColumn('deployed_by', 'text')
    .addColumn('key_token_hash', 'text', (c) => c.unique())
    .addColumn('key_token_expires_at', 'text')
    .execute();
  await db.schema.createIndex('deployments_certificate').on('deployments').columns(['certificate_id', 'id']).execute();
  await db.schema.createIndex('deployments_destination').on('deployments').columns(['destination_id', 'id']).execute();
}
