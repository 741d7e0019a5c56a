// Fastify typing shared by every routes.ts: the TypeBox-typed app and the per-route permission declaration.

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Permission, Principal } from '../modules/identity/permissions.ts';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The right a caller needs; `self` means any signed-in caller (about themselves). Absent only on public routes. */
    permission?: Permission | 'self';
    public?: boolean;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}
