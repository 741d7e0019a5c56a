// Request and response schemas of /api/v1/issuers and /api/v1/pending-certificates.
import { type Static, Type } from 'typebox';
import { instanceBodies, Settings } from '../../http/plugin-schemas.ts';
import { StringEnum } from '../../http/schema-types.ts';

const bodies = instanceBodies({
  name: 'letsencrypt',
  plugin: 'the issuer plugin: see GET /api/v1/issuers/plugins (e.g. acme, cfssl)',
  secrets: 'credentials (API keys, EAB keys)',
});
export const CreateIssuerBody = bodies.create;
export type CreateIssuerInput = Static<typeof CreateIssuerBody>;
export const UpdateIssuerBody = bodies.update;
export type UpdateIssuerInput = Static<typeof UpdateIssuerBody>;

export const IssuerSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  plugin: Type.String(),
  options: Settings('the non-secret settings'),
  secretsSet: Type.Array(Type.String(), { description: 'names of the secrets that are set (never their values)' }),
  owner: Type.Union([Type.String(), Type.Null()]),
  description: Type.Union([Type.String(), Type.Null()]),
  status: StringEnum(['ready', 'disabled'] as const),
  disabledReason: Type.Union([Type.String(), Type.Null()]),
  checkedAt: Type.Union([Type.String(), Type.Null()]),
  canRevoke: Type.Boolean(),
  canCancel: Type.Boolean(),
  createdAt: Type.String(),
  createdBy: Type.Union([Type.String(), Type.Null()]),
});
export const IssuerList = Type.Object({ items: Type.Array(IssuerSchema) });

const JsonSchema = Type.Record(Type.String(), Type.Unknown(), { description: 'a JSON Schema' });
export const PluginList = Type.Object({
  items: Type.Array(
    Type.Object({
      type: Type.String(),
      title: Type.String(),
      description: Type.String(),
      options: JsonSchema,
      secrets: JsonSchema,
      requestOptions: JsonSchema,
      canRevoke: Type.Boolean(),
      canCancel: Type.Boolean(),
    }),
  ),
});

export const PENDING_STATUSES = ['pending', 'issued', 'failed', 'cancelled'] as const;

export const PendingSchema = Type.Object({
  id: Type.Integer(),
  issuerId: Type.Integer(),
  issuer: Type.String(),
  status: StringEnum(PENDING_STATUSES),
  commonName: Type.String(),
  names: Type.Array(Type.String()),
  owner: Type.Union([Type.String(), Type.Null()]),
  message: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  upstreamError: Type.Union([Type.String(), Type.Null()], { description: "the issuer's own error text" }),
  nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
  certificateId: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String(),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.String(),
});
export const PendingList = Type.Object({ items: Type.Array(PendingSchema) });
export const PendingQuery = Type.Object(
  {
    status: Type.Optional(StringEnum(PENDING_STATUSES)),
    issuerId: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);
