// Revocation publishing: per-authority CRL settings and counters, the delegated OCSP signer, each certificate's
// CRL shard, and the latest generated CRL of each (authority, shard, kind).
import { type ColumnBuilderCallback, type Kysely, sql } from 'kysely';
import type { DialectOps } from '../dialect.ts';

export async function up(db: Kysely<unknown>, d: DialectOps): Promise<void> {
  const columns: Array<[string, 'text' | 'integer', ColumnBuilderCallback?]> = [
    ['public_base_url', 'text'],
    ['crl_shards', 'integer', (c) => c.notNull().defaultTo(1)],
    ['crl_number', 'integer', (c) => c.notNull().defaultTo(0)],
    ['crl_validity_hours', 'integer', (c) => c.notNull().defaultTo(24)],
    ['ocsp_signer', 'text', (c) => c.notNull().defaultTo('delegated')],
    ['ocsp_key_id', 'integer'],
  ];
  for (const [name, type, build] of columns) {
    await db.schema
      .alterTable('authorities')
      .addColumn(name, type, build ?? ((c) => c))
      .execute();
  }
  await db.schema.alterTable('authorities').addColumn('ocsp_certificate_der', d.binaryType).execute();
  await db.schema.alterTable('certificates').addColumn('crl_shard', 'integer').execute();
  // Revoked certificates of one authority and shard, in id order: what CRL generation pages through. Partial, so
  // that the planner never takes it for `revoked_at IS NULL` (nearly every row), which made the inventory's
  // "expiring soon" list thousands of times slower at a million rows.
  await db.schema
    .createIndex('certificates_revoked')
    .on('certificates')
    .columns(['authority_id', 'crl_shard', 'id'])
    .where(sql.ref('revoked_at'), 'is not', null)
    .execute();
  // The OCSP lookup: one certificate by issuer and serial. Without it a planner lacking statistics walked every
  // certificate of the authority (236 ms a request at 100,000 certificates, measured in bench/revocation.ts).
  await db.schema
    .createIndex('certificates_authority_serial')
    .on('certificates')
    .columns(['authority_id', 'serial'])
    .execute();
  await d
    .addId(db.schema.createTable('crls'))
    .addColumn('authority_id', 'integer', (c) => c.notNull().references('authorities.id'))
    .addColumn('shard', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('crl_number', 'integer', (c) => c.notNull())
    .addColumn('base_crl_number', 'integer')
    .addColumn('this_update', 'text', (c) => c.notNull())
    .addColumn('next_update', 'text', (c) => c.notNull())
    .addColumn('entries', 'integer', (c) => c.notNull())
    .addColumn('der', d.binaryType, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('crls_scope', ['authority_id', 'shard', 'kind'])
    .execute();
}
