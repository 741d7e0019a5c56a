// The shapes the UI reads from the API, taken (as types only: nothing of the server enters the bundle) from the
// same TypeBox schemas that validate and serialize each reply, so the UI cannot drift from the API. The value
// lists (key types, revocation reasons) come from the crypto layer's vocabulary, which has no dependencies.
import type { Static } from 'typebox';
import type { AuditEventSchema } from '../../../src/modules/audit/schemas.ts';
import type { AuthoritySchema } from '../../../src/modules/authorities/schemas.ts';
import type {
  CertificateSummary,
  CertificateDetail as DetailSchema,
} from '../../../src/modules/certificates/schemas.ts';
import type { CertificateStats } from '../../../src/modules/certificates/stats.ts';
import type { DeployedList, DeploymentSchema, DestinationSchema } from '../../../src/modules/destinations/schemas.ts';
import type { DomainSchema } from '../../../src/modules/domains/schemas.ts';
import type {
  CertificateEndpointList,
  EndpointDetail as EndpointDetailSchema,
  EndpointSchema,
} from '../../../src/modules/endpoints/schemas.ts';
import type { ApiKeySchema, MeReply, RoleSchema, UserSchema } from '../../../src/modules/identity/schemas.ts';
import type { IssuerSchema, PendingSchema } from '../../../src/modules/issuers/schemas.ts';
import type { JobSchema } from '../../../src/modules/jobs/schemas.ts';
import type { ChannelSchema, DeliverySchema, RuleSchema } from '../../../src/modules/notifications/schemas.ts';
import type { RequestSchema } from '../../../src/modules/requests/schemas.ts';
import type { BulkResult, SettingsSchema } from '../../../src/modules/rotation/schemas.ts';
import type { RunItemSchema, RunSchema, SourceSchema } from '../../../src/modules/sources/schemas.ts';

export { KEY_TYPES, REVOCATION_REASONS, SIGNATURE_HASHES } from '../../../src/crypto/types.ts';
export { NOTIFICATION_EVENTS } from '../../../src/modules/notifications/messages.ts';

export type Me = Static<typeof MeReply>;
export type Certificate = Static<typeof CertificateSummary>;
export type CertificateDetail = Static<typeof DetailSchema>;
export type Authority = Static<typeof AuthoritySchema>;
export type Domain = Static<typeof DomainSchema>;
export type Issuer = Static<typeof IssuerSchema>;
export type PendingCertificate = Static<typeof PendingSchema>;
export type HeldRequest = Static<typeof RequestSchema>;
export type AuditEvent = Static<typeof AuditEventSchema>;
export type User = Static<typeof UserSchema>;
export type Role = Static<typeof RoleSchema>;
export type ApiKey = Static<typeof ApiKeySchema>;
export type Destination = Static<typeof DestinationSchema>;
export type Deployment = Static<typeof DeploymentSchema>;
export type DeployedState = Static<typeof DeployedList>['items'][number];
export type Source = Static<typeof SourceSchema>;
export type SourceRun = Static<typeof RunSchema>;
export type SourceRunItem = Static<typeof RunItemSchema>;
export type Endpoint = Static<typeof EndpointSchema>;
export type EndpointDetail = Static<typeof EndpointDetailSchema>;
export type CertificateEndpoint = Static<typeof CertificateEndpointList>['items'][number];
export type Job = Static<typeof JobSchema>;
export type Channel = Static<typeof ChannelSchema>;
export type Rule = Static<typeof RuleSchema>;
export type Delivery = Static<typeof DeliverySchema>;
export type RotationSettings = Static<typeof SettingsSchema>;
export type BulkRotation = Static<typeof BulkResult>;
export type { CertificateStats };

/** A JSON Schema as the issuer plugins publish theirs (GET /api/v1/issuers/plugins): the parts the UI renders. */
export type JsonSchema = {
  type?: string | string[];
  title?: string;
  description?: string;
  enum?: unknown[];
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  anyOf?: JsonSchema[];
};
/** A plugin as every kind's GET …/plugins describes it (issuers, destinations, …). */
export interface PluginDescription {
  type: string;
  /** Notification channel plugins have none: their type is shown. */
  title?: string;
  description: string;
  options: JsonSchema;
  secrets: JsonSchema;
}
export interface IssuerPlugin extends PluginDescription {
  requestOptions: JsonSchema;
}
/** A configured plugin instance (an issuer, a destination, …): what its edit form starts from. */
export interface PluginInstance {
  id: number;
  name: string;
  plugin: string;
  options: Record<string, unknown>;
  secretsSet: string[];
}
export interface Page<T> {
  items: T[];
  next?: string | null;
  total?: number;
}
