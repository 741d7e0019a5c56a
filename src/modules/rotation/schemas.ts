// Request and response schemas of rotation settings and bulk rotation.
import { type Static, Type } from 'typebox';
import { StringEnum } from '../../http/schema-types.ts';
import { ListQuery } from '../certificates/schemas.ts';

const Nullable = <T extends ReturnType<typeof Type.String | typeof Type.Integer>>(t: T) => Type.Union([t, Type.Null()]);

export const SettingsBody = Type.Object(
  {
    enabled: Type.Boolean({ description: 'rotate automatically before expiry' }),
    daysBefore: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 365,
        description: 'days before expiry to rotate (default: 30, or a third of the lifetime)',
      }),
    ),
    revokeAfterDays: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0, maximum: 365 }), Type.Null()], {
        description: 'revoke the replaced certificate this many days after the rotation; null: never',
      }),
    ),
  },
  { additionalProperties: false },
);
export type SettingsInput = Static<typeof SettingsBody>;

export const SettingsSchema = Type.Object({
  certificateId: Type.Integer(),
  enabled: Type.Boolean(),
  daysBefore: Type.Integer(),
  revokeAfterDays: Nullable(Type.Integer()),
  lastRotation: Type.Union([
    Type.Object({
      status: StringEnum(['running', 'waiting', 'done', 'failed'] as const),
      newCertificateId: Nullable(Type.Integer()),
      pendingId: Nullable(Type.Integer()),
      attempts: Type.Integer(),
      lastError: Nullable(Type.String()),
      nextAttemptAt: Nullable(Type.String()),
      updatedAt: Type.String(),
    }),
    Type.Null(),
  ]),
});

const { sort: _s, limit: _l, cursor: _c, total: _t, ...filterFields } = ListQuery.properties;
export const BulkBody = Type.Object(
  {
    filter: Type.Object(filterFields, {
      additionalProperties: false,
      description: 'the certificate list filters (q, owner, authorityId, domain, expiringWithinDays, …)',
    }),
    dryRun: Type.Optional(Type.Boolean({ description: 'only list what would happen' })),
  },
  { additionalProperties: false },
);

export const BulkResult = Type.Object({
  dryRun: Type.Boolean(),
  items: Type.Array(
    Type.Object({
      certificateId: Type.Integer(),
      commonName: Type.String(),
      notAfter: Type.String(),
      action: StringEnum(['rotate', 'skip', 'rotated', 'pending', 'failed'] as const),
      reason: Nullable(Type.String()),
      newCertificateId: Type.Optional(Type.Integer()),
      pendingId: Type.Optional(Type.Integer()),
    }),
  ),
});
