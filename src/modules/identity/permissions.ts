// The coarse rights a route can require (an action on a kind of resource) and which role holds which. Rules that
// depend on the resource itself (owner, team) are checked in services. Users and roles come in the identity issue;
// today there is one role, admin, that holds every right.
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
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const ROLE_PERMISSIONS: Record<string, readonly Permission[]> = {
  admin: PERMISSIONS,
};

export interface Principal {
  userId: number;
  username: string;
  role: string;
  /** How the audit log names this caller, e.g. `user:admin`. */
  actor: string;
}

export function hasPermission(principal: Principal, permission: Permission): boolean {
  return ROLE_PERMISSIONS[principal.role]?.includes(permission) ?? false;
}
