// LDAP sign-in: bind to the directory as the user (their password is checked by the directory, never stored
// here), read their name and e-mail, find their groups and map them to roles. Every attempt opens its own short
// connection, so a directory restart never leaves a broken pooled connection behind.
import {
  AndFilter,
  Client,
  EqualityFilter,
  type Filter,
  InsufficientAccessError,
  InvalidCredentialsError,
  NoSuchObjectError,
  OrFilter,
  ResultCodeError,
} from 'ldapts';
import type { ServerConfig } from '../../config.ts';
import { UnauthenticatedError, UpstreamError } from '../../errors.ts';
import type { ExternalLogin, ExternalProfile } from './external-login.ts';
import type { LoginResult } from './service.ts';

export type LdapConfig = NonNullable<ServerConfig['ldap']>;

/** Escapes a value for use inside a DN attribute value (RFC 4514 section 2.4). */
export function escapeDnValue(value: string): string {
  let out = value.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`).replace(/\0/g, '\\00');
  if (/^[ #]/.test(out)) out = `\\${out}`;
  if (out.endsWith(' ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** Escapes a value for use inside a search filter (RFC 4515 section 3). */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The groups a user is in: groupOfNames / groupOfUniqueNames by DN, posixGroup by uid. */
export function groupFilter(userDn: string, uid: string): Filter {
  const eq = (attribute: string, value: string) => new EqualityFilter({ attribute, value });
  return new OrFilter({
    filters: [
      new AndFilter({ filters: [eq('objectClass', 'groupOfNames'), eq('member', userDn)] }),
      new AndFilter({ filters: [eq('objectClass', 'groupOfUniqueNames'), eq('uniqueMember', userDn)] }),
      new AndFilter({ filters: [eq('objectClass', 'posixGroup'), eq('memberUid', uid)] }),
    ],
  });
}

const first = (value: unknown): string | undefined => {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined ? undefined : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
};
const all = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).map((v) =>
    Buffer.isBuffer(v) ? v.toString('utf8') : String(v),
  );

export interface LdapDeps {
  config: LdapConfig;
  external: ExternalLogin;
  /** Milliseconds for connecting and for each operation. */
  timeoutMs?: number;
}

export function createLdapService({ config, external, timeoutMs = 5_000 }: LdapDeps) {
  // The attribute the user's RDN names (uid in uid={username},ou=people,…): its stored value is the canonical
  // username, so that "Alice" and "alice" (the same entry to the directory) are one Tarsier user.
  const rdnAttribute = config.userDn.match(/^\s*([A-Za-z][\w-]*)\s*=\s*\{username\}/)?.[1];

  const unreachable = (e: unknown) =>
    new UpstreamError(
      `the LDAP directory at ${config.url} did not answer: ${(e as Error).message}`,
      { url: config.url },
      { cause: e },
    );

  /** Binds as the user and reads their profile and groups; throws UnauthenticatedError on bad credentials. */
  async function lookUp(username: string, password: string): Promise<ExternalProfile> {
    const bindDn = config.userDn.replaceAll('{username}', escapeDnValue(username));
    const client = new Client({ url: config.url, timeout: timeoutMs, connectTimeout: timeoutMs });
    try {
      await client.bind(bindDn, password);
      // Some directories hide a user's own entry from them: then the name and e-mail stay unknown, nothing fails.
      const entry = await client
        .search(bindDn, {
          scope: 'base',
          attributes: ['mail', 'cn', 'displayName', 'entryUUID', ...(rdnAttribute ? [rdnAttribute] : [])],
        })
        .then(
          (r) => r.searchEntries[0],
          (e: unknown) => {
            if (e instanceof NoSuchObjectError || e instanceof InsufficientAccessError) return undefined;
            throw e;
          },
        );
      const uid = (rdnAttribute && first(entry?.[rdnAttribute])) || username;
      const userDn = entry?.dn ?? bindDn;
      let groups: string[] = [];
      if (config.groupBase) {
        const found = await client.search(config.groupBase, {
          scope: 'sub',
          filter: groupFilter(userDn, uid),
          attributes: ['cn'],
        });
        groups = found.searchEntries.flatMap((g) => all(g.cn));
      }
      return {
        username: uid,
        externalId: first(entry?.entryUUID) ?? userDn,
        email: first(entry?.mail),
        displayName: first(entry?.displayName) ?? first(entry?.cn),
        groups: [...new Set(groups)].sort(),
      };
    } catch (e) {
      if (e instanceof InvalidCredentialsError) throw new UnauthenticatedError('wrong username or password');
      if (e instanceof ResultCodeError) {
        throw new UpstreamError(
          `the LDAP directory refused the sign-in: ${e.message}`,
          { url: config.url, resultCode: e.code },
          { cause: e },
        );
      }
      throw unreachable(e);
    } finally {
      await client.unbind().catch(() => {});
    }
  }

  return {
    /**
     * Signs a user in with their directory password. The user is created on first sign-in, and their roles are
     * set from their groups at every sign-in. Throws UnauthenticatedError (wrong or empty password, unknown user,
     * disabled account), UpstreamError (directory unreachable or refusing), ConflictError (a local user has the
     * name).
     * Example: `await ldap.login('alice', 'secret', request.ip, { session: true })`
     */
    async login(
      username: string,
      password: string,
      clientAddress: string,
      options: { session?: boolean } = {},
    ): Promise<LoginResult> {
      // An empty password is an unauthenticated bind (RFC 4513 5.1.2), which directories answer with success.
      if (!password) return external.deny('ldap', username, clientAddress, 'empty password');
      let profile: ExternalProfile;
      try {
        profile = await lookUp(username, password);
      } catch (e) {
        if (e instanceof UnauthenticatedError) return external.deny('ldap', username, clientAddress, 'bad credentials');
        if (e instanceof UpstreamError) return external.deny('ldap', username, clientAddress, e.message, e);
        throw e;
      }
      const { token, expiresAt, csrfToken } = await external.complete(
        'ldap',
        profile,
        config.groupRoles,
        clientAddress,
        options,
      );
      return { token, expiresAt, csrfToken };
    },
  };
}

export type LdapService = ReturnType<typeof createLdapService>;
