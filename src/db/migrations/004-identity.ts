// Users, roles and API keys: roles become rows (built-in admin/operator/user/security, plus team roles) with
// memberships; users gain lockout and external-identity columns; bearer tokens can be web sessions with CSRF.
import { type Kysely, sql } from 'kysely';
import type { DialectOps } from '../dialect.ts';

export const BUILTIN_ROLES = [
  ['admin', 'Everything, including users, roles and every certificate and key'],
  ['operator', 'Manages authorities, domains, destinations, sources and notifications'],
  ['user', "Requests certificates and manages their teams' certificates"],
  ['security', 'Approves requests for sensitive names; reads the audit log'],
] as const;

export async function up(db: Kysely<unknown>, d: DialectOps): Promise<void> {
  const now = new Date().toISOString();
  await d
    .addId(db.schema.createTable('roles'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text')
    .addColumn('builtin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  for (const [name, description] of BUILTIN_ROLES) {
    await sql`INSERT INTO roles (name, description, builtin, created_at) VALUES (${name}, ${description}, 1, ${now})`.execute(
      db,
    );
  }
  await db.schema
    .createTable('user_roles')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role_id', 'integer', (c) => c.notNull().references('roles.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('user_roles_pk', ['user_id', 'role_id'])
    .execute();
  await sql`INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u JOIN roles r ON r.name = u.role`.execute(
    db,
  );
  await db.schema.alterTable('users').dropColumn('role').execute();
  const userColumns: Array<[string, 'text' | 'integer', boolean]> = [
    ['email', 'text', false],
    ['display_name', 'text', false],
    ['source', 'text', true],
    ['external_id', 'text', false],
    ['disabled_at', 'text', false],
    ['failed_logins', 'integer', true],
    ['locked_until', 'text', false],
    ['last_login_at', 'text', false],
  ];
  for (const [name, type, withDefault] of userColumns) {
    await db.schema
      .alterTable('users')
      .addColumn(name, type, (c) => (withDefault ? c.notNull().defaultTo(name === 'source' ? 'local' : 0) : c))
      .execute();
  }
  await d
    .addId(db.schema.createTable('api_keys'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('scopes', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.alterTable('auth_tokens').addColumn('csrf_hash', 'text').execute();
}
