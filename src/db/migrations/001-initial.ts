// The first schema: users and tokens, encrypted private keys, authorities, certificates, audit events.
import type { Kysely } from 'kysely';
import type { DialectOps } from '../dialect.ts';

export async function up(db: Kysely<unknown>, d: DialectOps): Promise<void> {
  const bin = d.binaryType;
  await d
    .addId(db.schema.createTable('users'))
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await d
    .addId(db.schema.createTable('auth_tokens'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute();

  await d
    .addId(db.schema.createTable('private_keys'))
    .addColumn('key_type', 'text', (c) => c.notNull())
    .addColumn('master_key_id', 'text', (c) => c.notNull())
    .addColumn('wrapped_dek', bin, (c) => c.notNull())
    .addColumn('ciphertext', bin, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('private_keys_master').on('private_keys').columns(['master_key_id', 'id']).execute();

  await d
    .addId(db.schema.createTable('authorities'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'integer', (c) => c.references('authorities.id'))
    .addColumn('owner', 'text')
    .addColumn('description', 'text')
    .addColumn('key_type', 'text', (c) => c.notNull())
    .addColumn('private_key_id', 'integer', (c) => c.notNull().references('private_keys.id'))
    .addColumn('certificate_der', bin, (c) => c.notNull())
    .addColumn('subject_dn', 'text', (c) => c.notNull())
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('fingerprint_sha256', 'text', (c) => c.notNull())
    .addColumn('not_before', 'text', (c) => c.notNull())
    .addColumn('not_after', 'text', (c) => c.notNull())
    .addColumn('path_length', 'integer')
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .execute();

  await d
    .addId(db.schema.createTable('certificates'))
    .addColumn('authority_id', 'integer', (c) => c.references('authorities.id'))
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('common_name', 'text', (c) => c.notNull())
    .addColumn('sans', 'text', (c) => c.notNull())
    .addColumn('search_text', 'text', (c) => c.notNull())
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('fingerprint_sha256', 'text', (c) => c.notNull().unique())
    .addColumn('fingerprint_sha1', 'text', (c) => c.notNull())
    .addColumn('subject_dn', 'text', (c) => c.notNull())
    .addColumn('issuer_dn', 'text', (c) => c.notNull())
    .addColumn('not_before', 'text', (c) => c.notNull())
    .addColumn('not_after', 'text', (c) => c.notNull())
    .addColumn('key_type', 'text', (c) => c.notNull())
    .addColumn('signature_algorithm', 'text', (c) => c.notNull())
    .addColumn('certificate_der', bin, (c) => c.notNull())
    .addColumn('chain_pem', 'text')
    .addColumn('private_key_id', 'integer', (c) => c.references('private_keys.id'))
    .addColumn('owner', 'text')
    .addColumn('description', 'text')
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('notify', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('revoked_at', 'text')
    .addColumn('revocation_reason', 'text')
    .addColumn('archived_at', 'text')
    .addColumn('replaces_id', 'integer')
    .addColumn('replaced_by_id', 'integer')
    .addColumn('issue_params', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .execute();
  // Each list order and filter the inventory offers has an index that ends in id, the keyset tie-breaker.
  const indexes: Array<[string, string[]]> = [
    ['certificates_serial', ['serial']],
    ['certificates_not_after', ['not_after', 'id']],
    ['certificates_created', ['created_at', 'id']],
    ['certificates_cn', ['common_name', 'id']],
    ['certificates_authority', ['authority_id', 'not_after', 'id']],
    ['certificates_owner', ['owner', 'not_after', 'id']],
    ['certificates_key_type', ['key_type', 'not_after', 'id']],
    ['certificates_sha1', ['fingerprint_sha1']],
  ];
  for (const [name, cols] of indexes) await db.schema.createIndex(name).on('certificates').columns(cols).execute();
  await d.createSearchIndex(db);

  await d
    .addId(db.schema.createTable('audit_events'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('client_address', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('audit_events_target')
    .on('audit_events')
    .columns(['target_type', 'target_id', 'id'])
    .execute();
}
