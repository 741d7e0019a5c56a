// Request and response schemas of /api/v1/audit-events; they validate input and generate the OpenAPI document.
// The response schemas are the leak guard: an event goes out with exactly these fields.
import { type Static, Type } from 'typebox';
import { StringEnum } from '../../http/schema-types.ts';

const Text = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 255, description }));

export const AuditListQuery = Type.Object(
  {
    actor: Text('who acted, exactly as recorded: `user:alice`, `api-key:7:alice`'),
    action: Text('e.g. certificate.issue, certificate.export-key, auth.login'),
    targetType: Text('e.g. certificate, authority, user'),
    targetId: Text('the target id; usually with targetType'),
    since: Type.Optional(
      Type.String({ maxLength: 64, description: 'events at or after: 2026-05-01 or 2026-05-01T12:00:00Z' }),
    ),
    until: Type.Optional(
      Type.String({ maxLength: 64, description: 'events at or before (a bare date includes its whole day)' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'page size (default 50)' })),
    cursor: Type.Optional(Type.String({ maxLength: 128, description: '`next` of the previous page' })),
  },
  { additionalProperties: false },
);
export type AuditListInput = Static<typeof AuditListQuery>;

const Nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const AuditEventSchema = Type.Object({
  id: Type.Integer(),
  seq: Type.Integer({ description: 'place in the hash chain: 1, 2, 3 …' }),
  at: Type.String({ format: 'date-time' }),
  actor: Type.String(),
  action: Type.String(),
  targetType: Nullable(Type.String()),
  targetId: Nullable(Type.String()),
  clientAddress: Nullable(Type.String()),
  outcome: StringEnum(['success', 'denied', 'failure']),
  details: Type.Record(Type.String(), Type.Unknown()),
  prevHash: Type.String({ description: 'hex SHA-256 of the event before (64 zeros for the first)' }),
  hash: Type.String({ description: 'hex SHA-256 over this event and prevHash' }),
});

export const AuditEventList = Type.Object({
  items: Type.Array(AuditEventSchema),
  next: Nullable(Type.String({ description: 'cursor of the next (older) page; null on the last' })),
});

export const ChainReportSchema = Type.Object({
  ok: Type.Boolean(),
  count: Type.Integer({ description: 'events verified (up to the break, when there is one)' }),
  headSeq: Type.Optional(Type.Integer()),
  headHash: Type.Optional(Type.String()),
  reason: Type.Optional(StringEnum(['altered', 'missing', 'head mismatch'])),
  firstBadId: Type.Optional(
    Nullable(Type.Integer({ description: 'the first bad event, or the one after a gap; null at the end of the log' })),
  ),
  seq: Type.Optional(Nullable(Type.Integer({ description: 'chain position of the altered or missing event' }))),
  message: Type.Optional(Type.String()),
});
