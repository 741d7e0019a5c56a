// API keys for scripts and the CLI: named, optionally narrowed to some of the owner's permissions, with an
// expiry; the key is shown once and stored as a hash; revocable; the last use is recorded.
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/index.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { type AuditService, byCaller } from '../audit/service.ts';
import type { RequestContext } from '../request-context.ts';
import { isAdmin, PERMISSIONS, type Permission } from './permissions.ts';
import { API_KEY_PREFIX, hashSecret } from './service.ts';
import * as store from './store.ts';

type KeyRow = Awaited<ReturnType<typeof store.listApiKeys>>[number];

function view(k: KeyRow | (Omit<KeyRow, 'username'> & { username?: string })) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    user: k.username ?? null,
    scopes: k.scopes ? (JSON.parse(k.scopes) as string[]) : null,
    createdAt: k.created_at,
    expiresAt: k.expires_at,
    revokedAt: k.revoked_at,
    lastUsedAt: k.last_used_at,
  };
}

export function createApiKeyService(deps: {
  db: Db;
  audit: Pick<AuditService, 'record'>;
  clock: () => Date;
  onRevoked?: () => void;
}) {
  const { db, audit, clock } = deps;
  return {
    /** Creates a key for the caller. Scopes beyond the caller's own permissions are refused. Returns the key once. */
    async create(input: { name: string; scopes?: string[]; expiresInDays?: number }, ctx: RequestContext) {
      const scopes = input.scopes ? [...new Set(input.scopes)] : undefined;
      scopes?.forEach((s, i) => {
        if (!(PERMISSIONS as readonly string[]).includes(s))
          throw new ValidationError(`scopes[${i}]`, `'${s}' is not a permission`);
        if (!ctx.principal.permissions.has(s as Permission)) {
          throw new ForbiddenError(`scopes[${i}]: you do not hold '${s}', so a key of yours cannot either`);
        }
      });
      if (ctx.principal.apiKeyId) throw new ForbiddenError('an API key cannot create API keys; sign in as the user');
      const secret = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
      const now = clock();
      const expiresAt = input.expiresInDays
        ? new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString()
        : null;
      const id = await db.transaction().execute(async (trx) => {
        const newId = await store.insertApiKey(trx, {
          user_id: ctx.principal.userId,
          name: input.name,
          prefix: secret.slice(0, 12),
          key_hash: hashSecret(secret),
          scopes: scopes ? JSON.stringify(scopes) : null,
          created_at: now.toISOString(),
          expires_at: expiresAt,
        });
        await audit.record(
          trx,
          byCaller(
            ctx,
            'api-key.create',
            { type: 'api-key', id: newId },
            { name: input.name, scopes: scopes ?? 'all', expiresAt },
          ),
        );
        return newId;
      });
      const row = (await store.findApiKey(db, id))!;
      return { ...view({ ...row, username: ctx.principal.username }), key: secret };
    },

    /** The caller's keys; admins may ask for everyone's. */
    async list(ctx: RequestContext, all = false) {
      if (all && !isAdmin(ctx.principal)) throw new ForbiddenError("only admins may list other users' API keys");
      return (await store.listApiKeys(db, all ? undefined : ctx.principal.userId)).map(view);
    },

    /** Revokes a key at once; the owner or an admin may. */
    async revoke(id: number, ctx: RequestContext) {
      const key = await store.findApiKey(db, id);
      if (!key || (key.user_id !== ctx.principal.userId && !isAdmin(ctx.principal)))
        throw new NotFoundError('API key', id);
      if (!key.revoked_at) {
        await store.updateApiKey(db, id, { revoked_at: clock().toISOString() });
        await audit.record(db, byCaller(ctx, 'api-key.revoke', { type: 'api-key', id }));
        deps.onRevoked?.();
      }
      const owner = await store.findUserById(db, key.user_id);
      return view({ ...(await store.findApiKey(db, id))!, username: owner?.username });
    },
  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
