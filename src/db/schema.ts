// Table types for Kysely. Timestamps are ISO-8601 UTC text (`*_at`) in both databases so that one query serves
// SQLite and PostgreSQL and compares correctly; booleans are 0/1 integers for the same reason.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type {
  DeploymentsTable,
  DestinationsTable,
  EndpointCertificatesTable,
  EndpointsTable,
  JobRunsTable,
  NotificationChannelsTable,
  NotificationDeliveriesTable,
  NotificationMarksTable,
  NotificationRulesTable,
  RevocationChecksTable,
  RotationSettingsTable,
  RotationsTable,
  SourceRunItemsTable,
  SourceRunsTable,
  SourcesTable,
} from './schema-operations.ts';

export type Id = Generated<number>;
export type Json = string;
type Bytes = Uint8Array;

export interface UsersTable {
  id: Id;
  username: string;
  /** '' for users who sign in through LDAP or OIDC only */
  password_hash: string;
  created_at: string;
  email: string | null;
  display_name: string | null;
  source: ColumnType<'local' | 'ldap' | 'oidc', 'local' | 'ldap' | 'oidc' | undefined, 'local' | 'ldap' | 'oidc'>;
  external_id: string | null;
  disabled_at: string | null;
  failed_logins: ColumnType<number, number | undefined, number>;
  locked_until: string | null;
  last_login_at: string | null;
}

export interface RolesTable {
  id: Id;
  name: string;
  description: string | null;
  builtin: ColumnType<number, number | undefined, number>;
  created_at: string;
}

export interface UserRolesTable {
  user_id: number;
  role_id: number;
}

export interface ApiKeysTable {
  id: Id;
  user_id: number;
  name: string;
  /** The first characters of the key, shown in lists so that a key can be recognised */
  prefix: string;
  key_hash: string;
  /** JSON list of permissions, or null for all of the owner's */
  scopes: string | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface AuthTokensTable {
  id: Id;
  user_id: number;
  token_hash: string;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
  /** SHA-256 of the CSRF token, for web sessions (cookie); null for bearer tokens */
  csrf_hash: string | null;
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
  /** For certificates from an external issuer (ACME, CFSSL, …): which one. */
  issuer_id: ColumnType<number | null, number | null | undefined, number | null>;
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
  /** Place in the hash chain: 1, 2, 3 … without gaps (ids may have gaps; seq may not). */
  seq: number;
  /** Hex SHA-256 of the event before (64 zeros for the first); see modules/audit/chain.ts. */
  prev_hash: string;
  /** Hex SHA-256 over this event's fields and prev_hash. */
  hash: string;
}

export interface DomainsTable {
  id: Id;
  /** A DNS domain; names equal to it or under it belong to it. */
  name: string;
  sensitive: ColumnType<number, number | undefined, number>;
  description: string | null;
  created_at: string;
  created_by: string | null;
}

export interface CertificateRequestsTable {
  id: Id;
  status: 'pending' | 'approved' | 'rejected' | 'failed';
  authority_id: number;
  requester_id: number;
  requested_by: string;
  reason: string | null;
  /** JSON list of every name asked for */
  names: Json;
  /** JSON list of {name, why}: the names that need approval and the rule that held them */
  held_for: Json;
  /** JSON of the issue request, replayed on approval */
  params: Json;
  created_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_comment: string | null;
  certificate_id: number | null;
  error: string | null;
}

export interface IssuersTable {
  id: Id;
  name: string;
  /** The issuer plugin's type, e.g. `acme`, `cfssl` */
  plugin: string;
  /** JSON of the plugin's non-secret options */
  options: Json;
  /** private_keys row holding the sealed JSON of the plugin's secrets */
  secrets_id: number | null;
  owner: string | null;
  description: string | null;
  /** Set when the configuration stopped working: why; the issuer refuses new work until fixed */
  disabled_reason: string | null;
  checked_at: string | null;
  created_at: string;
  created_by: string | null;
  updated_at: string;
}

export type PendingStatus = 'pending' | 'issued' | 'failed' | 'cancelled';

export interface PendingCertificatesTable {
  id: Id;
  issuer_id: number;
  status: PendingStatus;
  common_name: string;
  /** JSON list of the DNS names and IP addresses asked for */
  names: Json;
  owner: string | null;
  /** JSON of the issue request (no key material), kept for the certificate row and for retries */
  request: Json;
  csr_pem: string;
  /** The key Tarsier generated for this request (null when the requester sent a CSR) */
  private_key_id: number | null;
  /** JSON of the plugin's continuation state */
  state: Json;
  message: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  /** The issuer's own error text, verbatim */
  upstream_error: string | null;
  next_attempt_at: string;
  /** A process working on the row holds it until then; a crashed process's hold simply runs out */
  locked_until: string | null;
  certificate_id: number | null;
  created_at: string;
  created_by: string | null;
  updated_at: string;
}

export interface AcmeChallengesTable {
  token: string;
  key_authorization: string;
  created_at: string;
}

export interface Database {
  users: UsersTable;
  roles: RolesTable;
  user_roles: UserRolesTable;
  api_keys: ApiKeysTable;
  auth_tokens: AuthTokensTable;
  private_keys: PrivateKeysTable;
  authorities: AuthoritiesTable;
  certificates: CertificatesTable;
  audit_events: AuditEventsTable;
  crls: CrlsTable;
  domains: DomainsTable;
  certificate_requests: CertificateRequestsTable;
  issuers: IssuersTable;
  pending_certificates: PendingCertificatesTable;
  acme_challenges: AcmeChallengesTable;
  destinations: DestinationsTable;
  deployments: DeploymentsTable;
  sources: SourcesTable;
  source_runs: SourceRunsTable;
  source_run_items: SourceRunItemsTable;
  endpoints: EndpointsTable;
  endpoint_certificates: EndpointCertificatesTable;
  job_runs: JobRunsTable;
  notification_channels: NotificationChannelsTable;
  notification_rules: NotificationRulesTable;
  notification_marks: NotificationMarksTable;
  notification_deliveries: NotificationDeliveriesTable;
  rotation_settings: RotationSettingsTable;
  rotations: RotationsTable;
  revocation_checks: RevocationChecksTable;
}

export type CertificateRow = Selectable<CertificatesTable>;
export type NewCertificateRow = Insertable<CertificatesTable>;
export type CertificateUpdate = Updateable<CertificatesTable>;
export type AuthorityRow = Selectable<AuthoritiesTable>;
export type NewAuthorityRow = Insertable<AuthoritiesTable>;
export type AuthorityUpdate = Updateable<AuthoritiesTable>;
export type NewAuditEvent = Insertable<AuditEventsTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
export type IssuerRow = Selectable<IssuersTable>;
export type PendingCertificateRow = Selectable<PendingCertificatesTable>;
export type DestinationRow = Selectable<DestinationsTable>;
export type DeploymentRow = Selectable<DeploymentsTable>;
export type SourceRow = Selectable<SourcesTable>;
export type SourceRunRow = Selectable<SourceRunsTable>;
export type SourceRunItemRow = Selectable<SourceRunItemsTable>;
export type EndpointRow = Selectable<EndpointsTable>;
export type * from './schema-operations.ts';
