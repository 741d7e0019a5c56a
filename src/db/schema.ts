// Table types for Kysely. Timestamps are ISO-8601 UTC text (`*_at`) in both databases so that one query serves
// SQLite and PostgreSQL and compares correctly; booleans are 0/1 integers for the same reason.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Id = Generated<number>;
type Json = string;
type Bytes = Uint8Array;

export interface UsersTable {
  id: Id;
  username: string;
  password_hash: string;
  role: string;
  created_at: string;
}

export interface AuthTokensTable {
  id: Id;
  user_id: number;
  token_hash: string;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
}

export interface PrivateKeysTable {
  id: Id;
  key_type: string;
  master_key_id: string;
  wrapped_dek: Bytes;
  ciphertext: Bytes;
  created_at: string;
}

export interface AuthoritiesTable {
  id: Id;
  name: string;
  type: 'root' | 'intermediate';
  parent_id: number | null;
  owner: string | null;
  description: string | null;
  key_type: string;
  private_key_id: number;
  certificate_der: Bytes;
  subject_dn: string;
  serial: string;
  fingerprint_sha256: string;
  not_before: string;
  not_after: string;
  path_length: number | null;
  /** JSON policy: max validity, allowed key types, name constraints (see authorities/policy.ts). */
  policy: Json;
  created_at: string;
  created_by: string | null;
  /** Base URL under which this authority's CRLs and OCSP are published; certificates name them when set. */
  public_base_url: string | null;
  crl_shards: ColumnType<number, number | undefined, number>;
  crl_number: ColumnType<number, number | undefined, number>;
  crl_validity_hours: ColumnType<number, number | undefined, number>;
  ocsp_signer: ColumnType<'ca' | 'delegated', 'ca' | 'delegated' | undefined, 'ca' | 'delegated'>;
  ocsp_key_id: number | null;
  ocsp_certificate_der: Bytes | null;
}

export interface CertificatesTable {
  id: Id;
  authority_id: number | null;
  origin: 'issued' | 'imported';
  /** '' when the subject has no CN, so that sorting and keyset paging need no NULL cases */
  common_name: string;
  /** JSON {"dns":[],"ip":[],"email":[],"uri":[]} */
  sans: Json;
  /** lower-case CN, SANs, serial and fingerprints, space separated: what `q` searches */
  search_text: string;
  serial: string;
  fingerprint_sha256: string;
  fingerprint_sha1: string;
  subject_dn: string;
  issuer_dn: string;
  not_before: string;
  not_after: string;
  key_type: string;
  signature_algorithm: string;
  certificate_der: Bytes;
  chain_pem: string | null;
  private_key_id: number | null;
  owner: string | null;
  description: string | null;
  labels: Json;
  notify: ColumnType<number, number | undefined, number>;
  revoked_at: string | null;
  revocation_reason: string | null;
  archived_at: string | null;
  replaces_id: number | null;
  replaced_by_id: number | null;
  /** JSON of the issue request (without key material), replayed by rotate */
  issue_params: Json | null;
  created_at: string;
  created_by: string | null;
  /** For certificates of Tarsier authorities: which CRL shard lists it when revoked. */
  crl_shard: number | null;
}

export interface CrlsTable {
  id: Id;
  authority_id: number;
  shard: number;
  kind: 'full' | 'delta';
  crl_number: number;
  base_crl_number: number | null;
  this_update: string;
  next_update: string;
  entries: number;
  der: Bytes;
  created_at: string;
}

export interface AuditEventsTable {
  id: Id;
  at: string;
  actor: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  client_address: string | null;
  outcome: 'success' | 'denied' | 'failure';
  details: Json;
}

export interface Database {
  users: UsersTable;
  auth_tokens: AuthTokensTable;
  private_keys: PrivateKeysTable;
  authorities: AuthoritiesTable;
  certificates: CertificatesTable;
  audit_events: AuditEventsTable;
  crls: CrlsTable;
}

export type CertificateRow = Selectable<CertificatesTable>;
export type NewCertificateRow = Insertable<CertificatesTable>;
export type CertificateUpdate = Updateable<CertificatesTable>;
export type AuthorityRow = Selectable<AuthoritiesTable>;
export type NewAuthorityRow = Insertable<AuthoritiesTable>;
export type AuthorityUpdate = Updateable<AuthoritiesTable>;
export type NewAuditEvent = Insertable<AuditEventsTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
