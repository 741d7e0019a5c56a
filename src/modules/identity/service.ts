// Sign-in and who-is-calling: the bootstrap admin, password login with lockout, bearer tokens and web sessions
// (cookie plus CSRF token), API keys, and the Principal every request carries. Secrets (tokens, keys, CSRF
// tokens) are random, shown once, and stored only as SHA-256 hashes.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import argon2 from 'argon2';
import type { Db } from '../../db/index.ts';
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../../errors.ts';
import type { AuditService } from '../audit/service.ts';
import { type Permission, type Principal, permissionsOf } from './permissions.ts';
import * as store from './store.ts';

export interface IdentityDeps {
  db: Db;
  audit: Pick<AuditService, 'record'>;
  clock: () => Date;
  tokenTtlHours: number;
}

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');
export const API_KEY_PREFIX = 'tsk_';
const MAX_FAILURES = 5;
const LOCKOUT_MS = 15 * 60_000;
/** Resolved principals are reused this long; revocations in this process clear the cache at once. */
const CACHE_MS = 5_000;

export interface LoginResult {
  token: string;
  expiresAt: string;
  /** For web sessions: the value to send back in the X-CSRF-Token header on every change. */
  csrfToken?: string;
}

export function createIdentityService({ db, audit, clock, tokenTtlHours }: IdentityDeps) {
  // A hash to compare against when the user does not exist, so that timing does not reveal valid usernames.
  let decoyHash: Promise<string> | undefined;
  const recent = new Map<string, { principal: Principal; csrfHash: string | null; expiresAt: number }>();

  async function principalFor(userId: number, apiKey?: { id: number; scopes: string | null }): Promise<Principal> {
    const user = await store.findUserById(db, userId);
    if (!user || user.disabled_at) throw new UnauthenticatedError('this account is disabled');
    const roles = await store.rolesOfUser(db, userId);
    let permissions = permissionsOf(roles);
    if (apiKey?.scopes) {
      const scopes = new Set(JSON.parse(apiKey.scopes) as Permission[]);
      permissions = new Set([...permissions].filter((p) => scopes.has(p)));
    }
    const actor = apiKey ? `api-key:${apiKey.id}:${user.username}` : `user:${user.username}`;
    return { userId, username: user.username, roles, permissions, actor, apiKeyId: apiKey?.id };
  }

  /** Creates a bearer token (or a web session with its CSRF token) for a user who has proven who they are. */
  async function issueToken(userId: number, options: { session?: boolean } = {}): Promise<LoginResult> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = options.session ? randomBytes(24).toString('base64url') : undefined;
    const now = clock();
    const expiresAt = new Date(now.getTime() + tokenTtlHours * 3_600_000).toISOString();
    await store.insertToken(db, {
      user_id: userId,
      token_hash: hashSecret(token),
      created_at: now.toISOString(),
      expires_at: expiresAt,
      csrf_hash: csrfToken ? hashSecret(csrfToken) : null,
    });
    await store.updateUser(db, userId, { last_login_at: now.toISOString() });
    return { token, expiresAt, csrfToken };
  }

  async function resolve(token: string): Promise<{ principal: Principal; csrfHash: string | null }> {
    const key = hashSecret(token);
    const now = clock();
    const cached = recent.get(key);
    if (cached && cached.expiresAt > now.getTime()) return cached;
    let resolved: { principal: Principal; csrfHash: string | null };
    if (token.startsWith(API_KEY_PREFIX)) {
      const apiKey = await store.findApiKeyByHash(db, key);
      if (!apiKey) throw new UnauthenticatedError('this API key is unknown');
      if (apiKey.revoked_at) throw new UnauthenticatedError(`API key '${apiKey.name}' was revoked`);
      if (apiKey.expires_at && apiKey.expires_at <= now.toISOString()) {
        throw new UnauthenticatedError(`API key '${apiKey.name}' expired at ${apiKey.expires_at}`);
      }
      await store.updateApiKey(db, apiKey.id, { last_used_at: now.toISOString() });
      resolved = { principal: await principalFor(apiKey.user_id, apiKey), csrfHash: null };
    } else {
      const row = await store.findToken(db, key, now.toISOString());
      if (!row) throw new UnauthenticatedError('the token is unknown or expired: sign in again (tarsier login)');
      resolved = { principal: await principalFor(row.user_id), csrfHash: row.csrf_hash };
    }
    if (recent.size > 10_000) recent.clear();
    recent.set(key, { ...resolved, expiresAt: now.getTime() + CACHE_MS });
    return resolved;
  }

  return {
    principalFor,
    issueToken,
    /** Forgets cached principals, e.g. after a key is revoked or a user's roles change. */
    forgetCached: () => recent.clear(),

    /**
     * Creates the user `admin` when the database has no users yet. Returns the password when it was generated
     * (the caller prints it once).
     */
    async bootstrapAdmin(password?: string): Promise<{ created: boolean; generatedPassword?: string }> {
      if ((await store.countUsers(db)) > 0) return { created: false };
      const generated = password ? undefined : randomBytes(18).toString('base64url');
      const hash = await argon2.hash(password ?? generated!, { type: argon2.argon2id });
      const now = clock().toISOString();
      // Several servers starting at once on an empty database all get here; the first insert wins, the others
      // wait on its row and then leave it alone.
      const created = await db.transaction().execute(async (trx) => {
        const id = await store.insertUserUnlessTaken(trx, { username: 'admin', password_hash: hash, created_at: now });
        if (id === undefined) return false;
        const [admin] = await store.findRolesByName(trx, ['admin']);
        await store.setUserRoles(trx, id, [admin!.id]);
        return true;
      });
      return created ? { created: true, generatedPassword: generated } : { created: false };
    },

    /**
     * Checks a local username and password; returns a token. After five failures in a row the account is locked
     * for 15 minutes. Throws UnauthenticatedError on any mismatch, saying no more than needed.
     */
    async login(
      username: string,
      password: string,
      clientAddress: string,
      options: { session?: boolean } = {},
    ): Promise<LoginResult> {
      if (!username) throw new ValidationError('username', 'is required');
      const user = await store.findUserByName(db, username);
      const now = clock();
      const deny = async (reason: string, message = 'wrong username or password') => {
        await audit.record(db, {
          actor: `user:${username}`,
          action: 'auth.login',
          outcome: 'denied',
          clientAddress,
          details: { reason },
        });
        throw new UnauthenticatedError(message);
      };
      if (user?.locked_until && user.locked_until > now.toISOString()) {
        await deny('locked', `too many failed sign-ins: this account is locked until ${user.locked_until}`);
      }
      decoyHash ??= argon2.hash(randomBytes(16), { type: argon2.argon2id });
      const usable = user?.source === 'local' && user.password_hash !== '';
      const ok = await argon2.verify(usable ? user.password_hash : await decoyHash, password).catch(() => false);
      if (!user || !usable || !ok) {
        if (user) {
          const failures = user.failed_logins + 1;
          const lock = failures >= MAX_FAILURES ? new Date(now.getTime() + LOCKOUT_MS).toISOString() : null;
          await store.updateUser(db, user.id, { failed_logins: lock ? 0 : failures, locked_until: lock });
        }
        return deny(user && !usable ? 'not a local account' : 'bad credentials');
      }
      if (user.disabled_at) await deny('disabled', 'this account is disabled');
      await store.updateUser(db, user.id, { failed_logins: 0, locked_until: null });
      const result = await issueToken(user.id, options);
      await audit.record(db, {
        actor: `user:${user.username}`,
        action: 'auth.login',
        outcome: 'success',
        clientAddress,
        details: { session: Boolean(options.session) },
      });
      return result;
    },

    /** Ends a token or session. */
    async logout(token: string): Promise<void> {
      await store.deleteToken(db, hashSecret(token));
      recent.delete(hashSecret(token));
    },

    /** Resolves a bearer token or API key to its principal; throws UnauthenticatedError when unusable. */
    async authenticate(token: string): Promise<Principal> {
      return (await resolve(token)).principal;
    },

    /**
     * Resolves a session cookie. Changes (any method but GET/HEAD/OPTIONS) must carry the session's CSRF token:
     * a cookie alone is what a forged cross-site request would have.
     */
    async authenticateSession(token: string, csrfToken: string | undefined, method: string): Promise<Principal> {
      const { principal, csrfHash } = await resolve(token);
      if (!csrfHash)
        throw new UnauthenticatedError('this token is not a web session; send it as Authorization: Bearer');
      if (!['GET', 'HEAD', 'OPTIONS'].includes(method)) {
        const given = Buffer.from(csrfToken ? hashSecret(csrfToken) : '');
        if (given.length !== csrfHash.length || !timingSafeEqual(given, Buffer.from(csrfHash))) {
          throw new ForbiddenError(
            'missing or wrong X-CSRF-Token header: changes made with a session cookie must carry the token from sign-in',
          );
        }
      }
      return principal;
    },
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
