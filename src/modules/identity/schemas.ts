// Request and response schemas of /api/v1/auth, /users, /roles and /api-keys.
import { type Static, Type } from 'typebox';
import { StringEnum } from '../../http/schema-types.ts';
import { PERMISSIONS } from './permissions.ts';

const Nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 255 }),
    password: Type.String({ maxLength: 1024 }),
    session: Type.Optional(
      Type.Boolean({ description: 'start a web session: sets an http-only cookie and returns a CSRF token' }),
    ),
  },
  { additionalProperties: false },
);
export const LoginReply = Type.Object({
  token: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  csrfToken: Type.Optional(Type.String()),
});

export const MeReply = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  roles: Type.Array(Type.String()),
  permissions: Type.Array(Type.String()),
  apiKeyId: Nullable(Type.Integer()),
});

export const UserSchema = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  email: Nullable(Type.String()),
  displayName: Nullable(Type.String()),
  source: Type.String(),
  roles: Type.Array(Type.String()),
  disabled: Type.Boolean(),
  lockedUntil: Nullable(Type.String()),
  lastLoginAt: Nullable(Type.String()),
  createdAt: Type.String(),
});
export const UserList = Type.Object({ items: Type.Array(UserSchema) });

const RoleNames = Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100 });
export const CreateUserBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ maxLength: 1024, description: 'at least 12 characters' }),
    email: Type.Optional(Type.String({ maxLength: 255 })),
    displayName: Type.Optional(Type.String({ maxLength: 255 })),
    roles: Type.Optional(RoleNames),
  },
  { additionalProperties: false },
);
export const UpdateUserBody = Type.Object(
  {
    password: Type.Optional(Type.String({ maxLength: 1024, description: 'an admin resets the password' })),
    email: Type.Optional(Type.String({ maxLength: 255 })),
    displayName: Type.Optional(Type.String({ maxLength: 255 })),
    roles: Type.Optional(RoleNames),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const PasswordBody = Type.Object(
  { currentPassword: Type.String({ maxLength: 1024 }), newPassword: Type.String({ maxLength: 1024 }) },
  { additionalProperties: false },
);

export const RoleSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Nullable(Type.String()),
  builtin: Type.Boolean(),
  members: Type.Array(Type.Object({ id: Type.Integer(), username: Type.String() })),
});
export const RoleList = Type.Object({ items: Type.Array(RoleSchema) });
export const CreateRoleBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 64 }), description: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

export const ApiKeySchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  prefix: Type.String({ description: 'the first characters of the key, to recognise it' }),
  user: Nullable(Type.String()),
  scopes: Nullable(Type.Array(Type.String())),
  createdAt: Type.String(),
  expiresAt: Nullable(Type.String()),
  revokedAt: Nullable(Type.String()),
  lastUsedAt: Nullable(Type.String()),
});
export const ApiKeyCreated = Type.Intersect([
  ApiKeySchema,
  Type.Object({ key: Type.String({ description: 'shown only now' }) }),
]);
export const ApiKeyList = Type.Object({ items: Type.Array(ApiKeySchema) });
export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    scopes: Type.Optional(
      Type.Array(StringEnum(PERMISSIONS), { maxItems: PERMISSIONS.length, description: "default: all of the owner's" }),
    ),
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
);
export type CreateApiKeyInput = Static<typeof CreateApiKeyBody>;
export const ListApiKeysQuery = Type.Object({ all: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
