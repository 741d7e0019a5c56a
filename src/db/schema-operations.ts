// Table types of what Tarsier does around certificates: destinations and deployments, sources, their runs and the
// endpoints they see, background job runs, notifications, rotation and revocation checks. Split from schema.ts
// (the core tables and the Database map) so that each file reads in one sitting.
import type { ColumnType } from 'kysely';
import type { Id, Json } from './schema.ts';

export interface DestinationsTable {
  id: Id;
  name: string;
  /** The destination plugin's type: `directory`, `sftp`, `webhook` */
  plugin: string;
  /** JSON of the plugin's non-secret options */
  options: Json;
  /** private_keys row holding the sealed JSON of the plugin's secrets (SSH password or key, HMAC secret) */
  secrets_id: number | null;
  owner: string | null;
  description: string | null;
  created_at: string;
  created_by: string | null;
  updated_at: string;
}

export interface SourcesTable {
  id: Id;
  name: string;
  /** The source plugin's type, e.g. `tls`, `directory` */
  plugin: string;
  /** JSON of the plugin's non-secret options */
  options: Json;
  /** private_keys row holding the sealed JSON of the plugin's secrets (PKCS#12 passwords) */
  secrets_id: number | null;
  owner: string | null;
  description: string | null;
  created_at: string;
  created_by: string | null;
  updated_at: string;
}

export interface DeploymentsTable {
  id: Id;
  certificate_id: number;
  destination_id: number;
  /** `success` or `failed` */
  status: string;
  /** Where it went, e.g. a file path, sftp://host:port/path or the webhook URL */
  location: string | null;
  /** Exit status of the post-deploy command, when one ran */
  exit_code: number | null;
  /** The command's output or the receiver's reply (tail) */
  output: string | null;
  error: string | null;
  deployed_at: string;
  deployed_by: string | null;
  /** SHA-256 of a one-time key-retrieval token (webhook payload key-link), and when it stops working */
  key_token_hash: string | null;
  key_token_expires_at: string | null;
}

export type SourceRunStatus = 'running' | 'finished' | 'failed';

export interface SourceRunsTable {
  id: Id;
  source_id: number;
  status: SourceRunStatus;
  /** How many items the plugin announced (null until it knows) */
  items_total: number | null;
  items_done: ColumnType<number, number | undefined, number>;
  items_failed: ColumnType<number, number | undefined, number>;
  certificates_new: ColumnType<number, number | undefined, number>;
  endpoints_gone: ColumnType<number, number | undefined, number>;
  /** Why the whole run failed (a single item's failure is in its item row) */
  error: string | null;
  started_at: string;
  started_by: string | null;
  finished_at: string | null;
}

export interface SourceRunItemsTable {
  id: Id;
  run_id: number;
  /** What was scanned: `127.0.0.1:8443 (sni www.example.com)`, a file path */
  target: string;
  status: 'ok' | 'error' | 'skipped';
  message: string | null;
  certificate_id: number | null;
  endpoint_id: number | null;
  is_new: ColumnType<number, number | undefined, number>;
  /** new, same or changed: what the endpoint showed compared with the run before */
  change: string | null;
  /** JSON list of problem codes (expired, self-signed, …) */
  problems: Json;
  at: string;
}

export type EndpointKind = 'tls' | 'file' | 'destination';
export type EndpointStatus = 'current' | 'changed' | 'gone';

export interface EndpointsTable {
  id: Id;
  kind: EndpointKind;
  location: string;
  host: string | null;
  port: number | null;
  server_name: string | null;
  path: string | null;
  destination_id: number | null;
  source_id: number | null;
  status: EndpointStatus;
  certificate_id: number | null;
  previous_certificate_id: number | null;
  /** JSON list of problem codes seen at the last sighting */
  problems: Json;
  first_seen_at: string;
  last_seen_at: string;
  changed_at: string | null;
  gone_at: string | null;
}

export interface EndpointCertificatesTable {
  endpoint_id: number;
  certificate_id: number;
  first_seen_at: string;
  last_seen_at: string;
}

export interface JobRunsTable {
  id: Id;
  job: string;
  status: 'running' | 'succeeded' | 'failed';
  /** `schedule` or `manual:<actor>` */
  trigger: string;
  /** host:pid of the process that ran it */
  process: string;
  /** JSON summary the job returned */
  result: Json | null;
  error: string | null;
  started_at: string;
  finished_at: string | null;
}

export interface NotificationChannelsTable {
  id: Id;
  name: string;
  /** The notification plugin's type: `email`, `slack`, `webhook` */
  plugin: string;
  options: Json;
  secrets_id: number | null;
  /** 1: certificate owners (their users' e-mail addresses) are reached through this channel */
  owners: ColumnType<number, number | undefined, number>;
  created_at: string;
  created_by: string | null;
  updated_at: string;
}

export interface NotificationRulesTable {
  id: Id;
  channel_id: number;
  /** `all`, `owner`, `authority` (id), `label` (key=value) */
  match: string;
  value: string;
  /** e-mail address, or '' for channels with one destination (webhooks) */
  recipient: string;
  /** JSON list of events the rule wants */
  events: Json;
  created_at: string;
  created_by: string | null;
}

export interface NotificationMarksTable {
  /** e.g. `certificate:12`, `authority:3` */
  subject: string;
  /** e.g. `expiry:30`: the notice already given, so it is never given twice */
  event_key: string;
  created_at: string;
}

export type DeliveryStatus = 'pending' | 'sent' | 'failed';

export interface NotificationDeliveriesTable {
  id: Id;
  channel_id: number;
  recipient: string;
  event: string;
  subject: string;
  text_body: string;
  html_body: string;
  /** JSON sent to webhooks */
  payload: Json;
  status: DeliveryStatus;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: string;
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface RotationSettingsTable {
  certificate_id: number;
  enabled: number;
  days_before: number;
  /** Revoke the replaced certificate this many days after its replacement; null: never */
  revoke_after_days: number | null;
  updated_at: string;
}

export type RotationStatus = 'running' | 'waiting' | 'done' | 'failed';

export interface RotationsTable {
  id: Id;
  certificate_id: number;
  status: RotationStatus;
  new_certificate_id: number | null;
  /** Set while an external issuer is still working on the replacement */
  pending_id: number | null;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: string;
  /** A process working on the rotation holds it until then; a killed process's hold runs out */
  locked_until: string | null;
  last_error: string | null;
  old_revoked_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface RevocationChecksTable {
  certificate_id: number;
  method: 'ocsp' | 'crl' | 'none';
  status: 'good' | 'revoked' | 'unknown' | 'error';
  detail: string | null;
  checked_at: string;
}
