// The last steps every external sign-in (LDAP, OIDC) shares once the directory or provider has vouched for a
// user: map their groups to roles, find or create the user, refuse a disabled account, issue the token and write
// the audit event. One place, so that both sources behave alike and audit alike.
import type { Db } from '../../db/index.ts';
import { TarsierError, UnauthenticatedError } from '../../errors.ts';
import type { AuditService } from '../audit/service.ts';
import type { IdentityService, LoginResult } from './service.ts';
import type { UserService } from './users.ts';

export type ExternalSource = 'ldap' | 'oidc';

export interface ExternalProfile {
  username: string;
  externalId: string;
  email?: string;
  displayName?: string;
  groups: string[];
}

export interface ExternalLoginDeps {
  db: Db;
  audit: Pick<AuditService, 'record'>;
  users: Pick<UserService, 'upsertExternal'>;
  identity: Pick<IdentityService, 'issueToken' | 'principalFor' | 'forgetCached'>;
}

/** group -> roles through the configured mapping; groups without a mapping give no role. Sorted, unique. */
export function rolesForGroups(groups: readonly string[], groupRoles: Record<string, string[]>): string[] {
  return [...new Set(groups.flatMap((g) => (Object.hasOwn(groupRoles, g) ? (groupRoles[g] ?? []) : [])))].sort();
}

export function createExternalLogin({ db, audit, users, identity }: ExternalLoginDeps) {
  /** Writes a denied (or, for an outage, failed) `auth.login` event and throws `error` (an UnauthenticatedError unless given another). */
  async function deny(
    source: ExternalSource,
    who: string,
    clientAddress: string,
    reason: string,
    error: TarsierError = new UnauthenticatedError('wrong username or password'),
  ): Promise<never> {
    await audit.record(db, {
      actor: `${source}:${who}`,
      action: 'auth.login',
      // An outage (the directory or provider did not answer) is a failure; everything else was a refusal.
      outcome: error.status >= 500 ? 'failure' : 'denied',
      clientAddress,
      details: { source, reason },
    });
    throw error;
  }

  /**
   * Finds or creates the user, sets their roles from their groups, and signs them in. Throws ConflictError when a
   * local account has the name, UnauthenticatedError when the account is disabled (both audited as denied).
   */
  async function complete(
    source: ExternalSource,
    profile: ExternalProfile,
    groupRoles: Record<string, string[]>,
    clientAddress: string,
    options: { session?: boolean } = {},
  ): Promise<LoginResult & { userId: number; roles: string[] }> {
    const roles = rolesForGroups(profile.groups, groupRoles);
    let userId: number;
    try {
      userId = await users.upsertExternal(source, { ...profile, roles });
      identity.forgetCached(); // roles may have changed since the last sign-in
      await identity.principalFor(userId); // throws when the account is disabled
    } catch (e) {
      if (e instanceof TarsierError) return deny(source, profile.username, clientAddress, e.message, e);
      throw e;
    }
    const result = await identity.issueToken(userId, options);
    await audit.record(db, {
      actor: `user:${profile.username}`,
      action: 'auth.login',
      outcome: 'success',
      target: { type: 'user', id: userId },
      clientAddress,
      details: { source, session: Boolean(options.session), groups: profile.groups, roles },
    });
    return { ...result, userId, roles };
  }

  return { complete, deny };
}

export type ExternalLogin = ReturnType<typeof createExternalLogin>;
