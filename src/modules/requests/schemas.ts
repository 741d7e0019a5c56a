import { Type } from 'typebox';
import { StringEnum } from '../../http/schema-types.ts';

const Nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const RequestSchema = Type.Object({
  id: Type.Integer(),
  status: Type.String({ description: 'pending, approved, rejected or failed' }),
  authorityId: Type.Integer(),
  requestedBy: Type.String(),
  reason: Nullable(Type.String()),
  names: Type.Array(Type.String()),
  heldFor: Type.Array(Type.Object({ name: Type.String(), why: Type.String() })),
  createdAt: Type.String(),
  decidedBy: Nullable(Type.String()),
  decidedAt: Nullable(Type.String()),
  comment: Nullable(Type.String()),
  certificateId: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
});
export const RequestList = Type.Object({ items: Type.Array(RequestSchema) });
export const HeldReply = Type.Object({ status: Type.Literal('pending-approval'), request: RequestSchema });
export const ListRequestsQuery = Type.Object(
  {
    status: Type.Optional(StringEnum(['pending', 'approved', 'rejected', 'failed'])),
    mine: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);
export const DecisionBody = Type.Object(
  { comment: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);
