// Local sign-in: the bootstrap admin, password login and bearer tokens. Tokens are random 32-byte strings shown
// once and stored as SHA-256 hashes, so a database dump does not hand out sessions.
import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import type { Db } from '../../db/index.ts';
import { UnauthenticatedError, ValidationError } from '../../errors.ts';
import type { AuditService } from '../audit/service.ts';
import type { Principal } from './permissions.ts';
import * as store from './store.ts';

export interface IdentityDeps {
  db: Db;
  audit: Pick<AuditService, 'record'>;
  clock: () => Date;
  tokenTtlHours: number;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function createIdentityService({ db, audit, clock, tokenTtlHours }: IdentityDeps) {
  // A hash to compare against when the user does not exist, so that timing does not reveal valid usernames.
  let decoyHash: Promise<string> | undefined;
  // Token lookups are hot (every request); a short cache saves a query and a write per call.
  const recent = new Map<string, { principal: Principal; expiresAt: number }>();

  return {
    /**
     * Creates the user `admin` when the database has no users yet. Returns the password when it was generated
     * (the caller prints it once), undefined otherwise.
     */
    async bootstrapAdmin(password?: string): Promise<{ created: boolean; generatedPassword?: string }> {
      if ((await store.countUsers(db)) > 0) return { created: false };
      const generated = password ? undefined : randomBytes(18).toString('base64url');
      const hash = await argon2.hash(password ?? generated!, { type: argon2.argon2id });
      await store.insertUser(db, {
        username: 'admin',
        password_hash: hash,
        role: 'admin',
        created_at: clock().toISOString(),
      });
      return { created: true, generatedPassword: generated };
    },

    /** Checks a username and password; returns a bearer token. Throws UnauthenticatedError on any mismatch. */
    async login(
      username: string,
      password: string,
      clientAddress: string,
    ): Promise<{ token: string; expiresAt: string }> {
      if (!username) throw new ValidationError('username', 'is required');
      const user = await store.findUserByName(db, username);
      decoyHash ??= argon2.hash(randomBytes(16), { type: argon2.argon2id });
      const ok = await argon2.verify(user?.password_hash ?? (await decoyHash), password).catch(() => false);
      if (!user || !ok) {
        await audit.record(db, { actor: `user:${username}`, action: 'auth.login', outcome: 'denied', clientAddress });
        throw new UnauthenticatedError('wrong username or password');
      }
      const token = randomBytes(32).toString('base64url');
      const now = clock();
      const expiresAt = new Date(now.getTime() + tokenTtlHours * 3_600_000).toISOString();
      await db.transaction().execute(async (trx) => {
        await store.insertToken(trx, {
          user_id: user.id,
          token_hash: hashToken(token),
          created_at: now.toISOString(),
          expires_at: expiresAt,
        });
        await audit.record(trx, {
          actor: `user:${user.username}`,
          action: 'auth.login',
          outcome: 'success',
          clientAddress,
        });
      });
      return { token, expiresAt };
    },

    /** Resolves a bearer token to its principal; throws UnauthenticatedError when unknown or expired. */
    async authenticate(token: string): Promise<Principal> {
      const key = hashToken(token);
      const now = clock();
      const cached = recent.get(key);
      if (cached && cached.expiresAt > now.getTime()) return cached.principal;
      const row = await store.findTokenOwner(db, key, now.toISOString());
      if (!row) throw new UnauthenticatedError('the token is unknown or expired: sign in again (tarsier login)');
      await store.touchToken(db, row.token_id, now.toISOString());
      const principal: Principal = {
        userId: row.user_id,
        username: row.username,
        role: row.role,
        actor: `user:${row.username}`,
      };
      if (recent.size > 10_000) recent.clear();
      recent.set(key, { principal, expiresAt: now.getTime() + 30_000 });
      return principal;
    },
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
