// /api/v1/auth (sign-in, sign-out, who am I), /api/v1/users, /api/v1/roles and /api/v1/api-keys.
import { Type } from 'typebox';
import { contextOf } from '../../http/context.ts';
import { clearedSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from '../../http/cookies.ts';
import type { App } from '../../http/types.ts';
import type { Services } from '../../services.ts';
import { IdParams } from '../authorities/schemas.ts';
import {
  ApiKeyCreated,
  ApiKeyList,
  ApiKeySchema,
  CreateApiKeyBody,
  CreateRoleBody,
  CreateUserBody,
  ListApiKeysQuery,
  LoginBody,
  LoginReply,
  MeReply,
  PasswordBody,
  RoleList,
  RoleSchema,
  UpdateUserBody,
  UserList,
  UserSchema,
} from './schemas.ts';
import type { UserService } from './users.ts';

type UserRecord = Awaited<ReturnType<UserService['view']>>;

function userView(u: UserRecord) {
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    displayName: u.display_name,
    source: u.source,
    roles: u.roles,
    disabled: u.disabled_at !== null,
    lockedUntil: u.locked_until,
    lastLoginAt: u.last_login_at,
    createdAt: u.created_at,
  };
}

export function registerIdentityRoutes(
  app: App,
  { identity, users, apiKeys }: Pick<Services, 'identity' | 'users' | 'apiKeys'>,
): void {
  const auth = ['auth'];
  app.post(
    '/api/v1/auth/login',
    { config: { public: true }, schema: { tags: auth, security: [], body: LoginBody, response: { 200: LoginReply } } },
    async (request, reply) => {
      const { username, password, session } = request.body;
      const result = await identity.login(username, password, request.ip, { session });
      if (!session) return result;
      // The session token travels only in the http-only cookie; the page keeps the CSRF token.
      reply.header('set-cookie', sessionCookie(result.token, result.expiresAt));
      return { token: '', expiresAt: result.expiresAt, csrfToken: result.csrfToken };
    },
  );
  app.post(
    '/api/v1/auth/logout',
    { config: { public: true }, schema: { tags: auth, response: { 204: Type.Null() } } },
    async (request, reply) => {
      const bearer = request.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
      const token = bearer ?? readCookie(request.headers.cookie, SESSION_COOKIE);
      if (token) await identity.logout(token);
      return reply.header('set-cookie', clearedSessionCookie).status(204).send(null);
    },
  );
  app.get(
    '/api/v1/auth/me',
    { config: { permission: 'self' }, schema: { tags: auth, response: { 200: MeReply } } },
    async (request) => {
      const p = contextOf(request).principal;
      return {
        id: p.userId,
        username: p.username,
        roles: [...p.roles],
        permissions: [...p.permissions],
        apiKeyId: p.apiKeyId ?? null,
      };
    },
  );
  app.post(
    '/api/v1/auth/password',
    { config: { permission: 'self' }, schema: { tags: auth, body: PasswordBody, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await users.changeOwnPassword(request.body.currentPassword, request.body.newPassword, contextOf(request));
      return reply.status(204).send(null);
    },
  );

  const tags = ['users'];
  app.get(
    '/api/v1/users',
    { config: { permission: 'user:read' }, schema: { tags, response: { 200: UserList } } },
    async () => ({
      items: (await users.list()).map(userView),
    }),
  );
  app.post(
    '/api/v1/users',
    { config: { permission: 'user:manage' }, schema: { tags, body: CreateUserBody, response: { 201: UserSchema } } },
    async (request, reply) => reply.status(201).send(userView(await users.create(request.body, contextOf(request)))),
  );
  app.get(
    '/api/v1/users/:id',
    { config: { permission: 'user:read' }, schema: { tags, params: IdParams, response: { 200: UserSchema } } },
    async (request) => userView(await users.view(request.params.id)),
  );
  app.patch(
    '/api/v1/users/:id',
    {
      config: { permission: 'user:manage' },
      schema: { tags, params: IdParams, body: UpdateUserBody, response: { 200: UserSchema } },
    },
    async (request) => userView(await users.update(request.params.id, request.body, contextOf(request))),
  );

  const roleTags = ['roles'];
  app.get(
    '/api/v1/roles',
    { config: { permission: 'user:read' }, schema: { tags: roleTags, response: { 200: RoleList } } },
    async () => ({
      items: await users.listRoles(),
    }),
  );
  app.post(
    '/api/v1/roles',
    {
      config: { permission: 'role:manage' },
      schema: { tags: roleTags, body: CreateRoleBody, response: { 201: RoleSchema } },
    },
    async (request, reply) => reply.status(201).send(await users.createRole(request.body, contextOf(request))),
  );
  app.delete(
    '/api/v1/roles/:id',
    {
      config: { permission: 'role:manage' },
      schema: { tags: roleTags, params: IdParams, response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      await users.deleteRole(request.params.id, contextOf(request));
      return reply.status(204).send(null);
    },
  );

  const keyTags = ['api-keys'];
  app.get(
    '/api/v1/api-keys',
    {
      config: { permission: 'api-key:manage' },
      schema: { tags: keyTags, querystring: ListApiKeysQuery, response: { 200: ApiKeyList } },
    },
    async (request) => ({ items: await apiKeys.list(contextOf(request), request.query.all) }),
  );
  app.post(
    '/api/v1/api-keys',
    {
      config: { permission: 'api-key:manage' },
      schema: { tags: keyTags, body: CreateApiKeyBody, response: { 201: ApiKeyCreated } },
    },
    async (request, reply) => reply.status(201).send(await apiKeys.create(request.body, contextOf(request))),
  );
  app.post(
    '/api/v1/api-keys/:id/revoke',
    {
      config: { permission: 'api-key:manage' },
      schema: { tags: keyTags, params: IdParams, response: { 200: ApiKeySchema } },
    },
    async (request) => apiKeys.revoke(request.params.id, contextOf(request)),
  );
}
