// Queries of users, roles, memberships, login tokens and API keys.

import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { Database } from '../../db/schema.ts';

export function findUserByName(db: Db, username: string) {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export function findUserById(db: Db, id: number) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listUsers(db: Db) {
  return db.selectFrom('users').selectAll().orderBy('username').execute();
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertUser(db: Db, user: Insertable<Database['users']>): Promise<number> {
  const row = await db.insertInto('users').values(user).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Inserts a user unless the username is taken (by a process inserting it at the same moment); the id or undefined. */
export async function insertUserUnlessTaken(db: Db, user: Insertable<Database['users']>): Promise<number | undefined> {
  const row = await db
    .insertInto('users')
    .values(user)
    .onConflict((oc) => oc.column('username').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function updateUser(db: Db, id: number, changes: Updateable<Database['users']>): Promise<void> {
  if (Object.keys(changes).length) await db.updateTable('users').set(changes).where('id', '=', id).execute();
}

export async function rolesOfUser(db: Db, userId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('user_roles')
    .innerJoin('roles', 'roles.id', 'user_roles.role_id')
    .select('roles.name')
    .where('user_roles.user_id', '=', userId)
    .orderBy('roles.name')
    .execute();
  return rows.map((r) => r.name);
}

/** Replaces a user's memberships with exactly `roleIds`. */
export async function setUserRoles(db: Db, userId: number, roleIds: number[]): Promise<void> {
  await db.deleteFrom('user_roles').where('user_id', '=', userId).execute();
  if (roleIds.length)
    await db
      .insertInto('user_roles')
      .values(roleIds.map((role_id) => ({ user_id: userId, role_id })))
      .execute();
}

export function listRoles(db: Db) {
  return db.selectFrom('roles').selectAll().orderBy('builtin', 'desc').orderBy('name').execute();
}

export function findRolesByName(db: Db, names: string[]) {
  if (names.length === 0) return Promise.resolve([]);
  return db.selectFrom('roles').selectAll().where('name', 'in', names).execute();
}

export function findRoleById(db: Db, id: number) {
  return db.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertRole(db: Db, role: Insertable<Database['roles']>): Promise<number> {
  const row = await db.insertInto('roles').values(role).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function deleteRole(db: Db, id: number): Promise<void> {
  await db.deleteFrom('roles').where('id', '=', id).execute();
}

export function membersOfRole(db: Db, roleId: number) {
  return db
    .selectFrom('user_roles')
    .innerJoin('users', 'users.id', 'user_roles.user_id')
    .select(['users.id', 'users.username'])
    .where('user_roles.role_id', '=', roleId)
    .orderBy('users.username')
    .execute();
}

export async function insertToken(db: Db, token: Insertable<Database['auth_tokens']>): Promise<void> {
  await db.insertInto('auth_tokens').values(token).execute();
}

export function findToken(db: Db, tokenHash: string, now: string) {
  return db
    .selectFrom('auth_tokens')
    .select(['id', 'user_id', 'csrf_hash'])
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

export async function deleteToken(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('auth_tokens').where('token_hash', '=', tokenHash).execute();
}

export async function deleteTokensOfUser(db: Db, userId: number): Promise<void> {
  await db.deleteFrom('auth_tokens').where('user_id', '=', userId).execute();
}

export async function insertApiKey(db: Db, key: Insertable<Database['api_keys']>): Promise<number> {
  const row = await db.insertInto('api_keys').values(key).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export function findApiKeyByHash(db: Db, keyHash: string) {
  return db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
}

export function findApiKey(db: Db, id: number) {
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listApiKeys(db: Db, userId?: number) {
  let q = db
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .selectAll('api_keys')
    .select('users.username');
  if (userId !== undefined) q = q.where('api_keys.user_id', '=', userId);
  return q.orderBy('api_keys.id').execute();
}

export async function updateApiKey(db: Db, id: number, changes: Updateable<Database['api_keys']>): Promise<void> {
  await db.updateTable('api_keys').set(changes).where('id', '=', id).execute();
}
