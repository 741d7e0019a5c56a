// Users and roles: local accounts with a password policy, built-in and team roles, memberships, and the
// find-or-create used by LDAP and OIDC sign-in (users created on first sign-in, roles from their groups).
import argon2 from 'argon2';
import type { Db } from '../../db/index.ts';
import { ConflictError, NotFoundError, PolicyError, ValidationError } from '../../errors.ts';
import { type AuditService, byCaller } from '../audit/service.ts';
import type { RequestContext } from '../request-context.ts';
import * as store from './store.ts';

const COMMON = new Set(['password', 'passw0rd', '123456789012', 'qwertyuiopas', 'letmeinplease', 'changeme1234']);

/** Password policy: 12 to 1024 characters, not the username, not a well-known password, not one repeated character. */
export function checkPassword(password: string, username: string, field = 'password'): void {
  if (password.length < 12) throw new ValidationError(field, 'must be at least 12 characters long');
  if (password.length > 1024) throw new ValidationError(field, 'must be at most 1024 characters long');
  const lower = password.toLowerCase();
  if (lower.includes(username.toLowerCase())) throw new ValidationError(field, 'must not contain the username');
  if (COMMON.has(lower) || /^(.)\1+$/.test(password))
    throw new ValidationError(field, 'is too easy to guess; choose another');
}

export interface UserInput {
  username: string;
  password?: string;
  email?: string;
  displayName?: string;
  roles?: string[];
  disabled?: boolean;
}

export function createUserService({
  db,
  audit,
  clock,
  onChanged,
}: {
  db: Db;
  audit: Pick<AuditService, 'record'>;
  clock: () => Date;
  onChanged?: () => void;
}) {
  async function roleIds(names: string[], field = 'roles'): Promise<number[]> {
    const unique = [...new Set(names)];
    const rows = await store.findRolesByName(db, unique);
    const missing = unique.filter((n) => !rows.some((r) => r.name === n));
    if (missing.length)
      throw new ValidationError(
        field,
        `unknown role(s): ${missing.join(', ')}; create team roles first (POST /api/v1/roles)`,
      );
    return rows.map((r) => r.id);
  }

  const record = (exec: Db, ctx: RequestContext, action: string, target: { type: string; id: number }, details = {}) =>
    audit.record(exec, byCaller(ctx, action, target, details));

  async function view(id: number) {
    const user = await store.findUserById(db, id);
    if (!user) throw new NotFoundError('user', id);
    const { password_hash: _hidden, ...rest } = user;
    return { ...rest, roles: await store.rolesOfUser(db, id) };
  }

  return {
    view,
    async list() {
      const users = await store.listUsers(db);
      return Promise.all(users.map((u) => view(u.id)));
    },

    /** Creates a local user. Throws ValidationError (password policy, unknown role), ConflictError (name taken). */
    async create(input: UserInput, ctx: RequestContext) {
      if (!/^[A-Za-z0-9._@-]{1,64}$/.test(input.username)) {
        throw new ValidationError('username', 'use 1 to 64 letters, digits, dots, dashes, underscores or @');
      }
      if (!input.password) throw new ValidationError('password', 'is required for a local user');
      checkPassword(input.password, input.username);
      if (await store.findUserByName(db, input.username))
        throw new ConflictError(`a user named '${input.username}' exists already`);
      const ids = await roleIds(input.roles ?? ['user']);
      const hash = await argon2.hash(input.password, { type: argon2.argon2id });
      const id = await db.transaction().execute(async (trx) => {
        const newId = await store.insertUser(trx, {
          username: input.username,
          password_hash: hash,
          email: input.email ?? null,
          display_name: input.displayName ?? null,
          created_at: clock().toISOString(),
        });
        await store.setUserRoles(trx, newId, ids);
        await record(trx, ctx, 'user.create', { type: 'user', id: newId }, { roles: input.roles ?? ['user'] });
        return newId;
      });
      return view(id);
    },

    /** Changes roles, e-mail, name, disabled state or (admin reset) the password; ends the user's sessions when disabled. */
    async update(id: number, input: Partial<UserInput>, ctx: RequestContext) {
      const user = await store.findUserById(db, id);
      if (!user) throw new NotFoundError('user', id);
      if (
        id === ctx.principal.userId &&
        (input.disabled || (input.roles && !input.roles.includes('admin') && ctx.principal.roles.includes('admin')))
      ) {
        throw new PolicyError('you cannot disable yourself or remove your own admin role; ask another admin');
      }
      const ids = input.roles ? await roleIds(input.roles) : undefined;
      if (input.password !== undefined) checkPassword(input.password, user.username);
      const hash =
        input.password !== undefined ? await argon2.hash(input.password, { type: argon2.argon2id }) : undefined;
      await db.transaction().execute(async (trx) => {
        await store.updateUser(trx, id, {
          ...(input.email !== undefined ? { email: input.email } : {}),
          ...(input.displayName !== undefined ? { display_name: input.displayName } : {}),
          ...(input.disabled !== undefined ? { disabled_at: input.disabled ? clock().toISOString() : null } : {}),
          ...(hash ? { password_hash: hash, failed_logins: 0, locked_until: null } : {}),
        });
        if (ids) await store.setUserRoles(trx, id, ids);
        if (input.disabled || hash) await store.deleteTokensOfUser(trx, id);
        await record(
          trx,
          ctx,
          'user.update',
          { type: 'user', id },
          { fields: Object.keys(input).filter((k) => k !== 'password'), passwordReset: Boolean(hash) },
        );
      });
      onChanged?.();
      return view(id);
    },

    /** A user changes their own password, proving the current one. */
    async changeOwnPassword(current: string, next: string, ctx: RequestContext) {
      const user = await store.findUserById(db, ctx.principal.userId);
      if (user?.source !== 'local') throw new PolicyError('only local accounts have a password here');
      if (!(await argon2.verify(user.password_hash, current).catch(() => false))) {
        throw new ValidationError('currentPassword', 'is not your current password');
      }
      checkPassword(next, user.username, 'newPassword');
      await store.updateUser(db, user.id, { password_hash: await argon2.hash(next, { type: argon2.argon2id }) });
      await record(db, ctx, 'user.change-password', { type: 'user', id: user.id });
    },

    /** Finds or creates the user an external directory vouched for, and sets their roles from its groups. */
    async upsertExternal(
      source: 'ldap' | 'oidc',
      profile: { username: string; externalId: string; email?: string; displayName?: string; roles: string[] },
    ) {
      const existing = await store.findUserByName(db, profile.username);
      if (existing && existing.source !== source) {
        throw new ConflictError(
          `user '${profile.username}' exists as a ${existing.source} account; an admin must resolve the clash`,
        );
      }
      const known = (await store.findRolesByName(db, profile.roles)).map((r) => r.id);
      return db.transaction().execute(async (trx) => {
        const id =
          existing?.id ??
          (await store.insertUser(trx, {
            username: profile.username,
            password_hash: '',
            source,
            external_id: profile.externalId,
            created_at: clock().toISOString(),
          }));
        await store.updateUser(trx, id, {
          email: profile.email ?? null,
          display_name: profile.displayName ?? null,
          external_id: profile.externalId,
        });
        await store.setUserRoles(trx, id, known);
        await audit.record(trx, {
          actor: `${source}:${profile.username}`,
          action: existing ? 'user.sync' : 'user.create',
          target: { type: 'user', id },
          outcome: 'success',
          details: { source, roles: profile.roles },
        });
        return id;
      });
    },

    listRoles: async () =>
      Promise.all(
        (await store.listRoles(db)).map(async (r) => ({
          ...r,
          builtin: r.builtin === 1,
          members: await store.membersOfRole(db, r.id),
        })),
      ),

    async createRole(input: { name: string; description?: string }, ctx: RequestContext) {
      if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(input.name)) {
        throw new ValidationError(
          'name',
          'use 1 to 64 lower-case letters, digits, dots, dashes or underscores (e.g. team-payments)',
        );
      }
      if ((await store.findRolesByName(db, [input.name])).length)
        throw new ConflictError(`a role named '${input.name}' exists already`);
      const id = await store.insertRole(db, {
        name: input.name,
        description: input.description ?? null,
        created_at: clock().toISOString(),
      });
      await record(db, ctx, 'role.create', { type: 'role', id }, { name: input.name });
      return { ...(await store.findRoleById(db, id))!, builtin: false, members: [] };
    },

    async deleteRole(id: number, ctx: RequestContext) {
      const role = await store.findRoleById(db, id);
      if (!role) throw new NotFoundError('role', id);
      if (role.builtin) throw new PolicyError(`'${role.name}' is a built-in role and cannot be deleted`);
      await store.deleteRole(db, id);
      await record(db, ctx, 'role.delete', { type: 'role', id }, { name: role.name });
      onChanged?.();
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
