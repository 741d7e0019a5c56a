// The coarse rights a route can require (an action on a kind of resource) and which built-in role holds which.
// Team roles carry no rights of their own: membership makes a user one of the owners of that team's
// certificates, a rule services check on the resource itself (see ownership.ts).
export const PERMISSIONS = [
  'authority:create',
  'authority:read',
  'authority:update',
  'certificate:issue',
  'certificate:import',
  'certificate:read',
  'certificate:read-key',
  'certificate:revoke',
  'certificate:rotate',
  'certificate:update',
  'audit:read',
  'user:read',
  'user:manage',
  'role:manage',
  'api-key:manage',
  'domain:read',
  'domain:manage',
  'request:read',
  'request:approve',
  'issuer:read',
  'issuer:manage',
  'destination:read',
  'destination:manage',
  'certificate:deploy',
  'source:read',
  'source:manage',
  'source:run',
  'endpoint:read',
  'job:read',
  'job:run',
  'notification:read',
  'notification:manage',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const USER: readonly Permission[] = [
  'authority:read',
  'certificate:issue',
  'certificate:import',
  'certificate:read',
  'certificate:read-key',
  'certificate:revoke',
  'certificate:rotate',
  'certificate:update',
  'api-key:manage',
  'domain:read',
  'request:read',
  'issuer:read',
  'destination:read',
  'certificate:deploy',
  'source:read',
  'endpoint:read',
];

export const ROLE_PERMISSIONS: Readonly<Record<string, readonly Permission[]>> = {
  admin: PERMISSIONS,
  operator: [
    ...USER,
    'authority:create',
    'authority:update',
    'domain:manage',
    'user:read',
    'audit:read',
    'issuer:manage',
    'source:manage',
    'source:run',
    'job:read',
    'job:run',
    'notification:read',
    'notification:manage',
  ],
  user: USER,
  security: [
    'authority:read',
    'issuer:read',
    'certificate:read',
    'domain:read',
    'request:read',
    'request:approve',
    'audit:read',
    'api-key:manage',
    'destination:read',
    'source:read',
    'endpoint:read',
    'job:read',
    'notification:read',
  ],
};

export interface Principal {
  userId: number;
  username: string;
  /** Every role the user holds: built-in ones and team roles. */
  roles: readonly string[];
  /** Effective rights: the roles' rights, narrowed by an API key's scopes. */
  permissions: ReadonlySet<Permission>;
  /** How the audit log names this caller: `user:alice`, or `api-key:7:alice` for an API key. */
  actor: string;
  apiKeyId?: number;
}

export function permissionsOf(roles: readonly string[]): Set<Permission> {
  return new Set(roles.flatMap((r) => ROLE_PERMISSIONS[r] ?? []));
}

export function hasPermission(principal: Principal, permission: Permission): boolean {
  return principal.permissions.has(permission);
}

export const isAdmin = (principal: Principal): boolean => principal.roles.includes('admin');
