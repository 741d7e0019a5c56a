// Who is calling and from where: passed from routes to services so that rules and audit events can name them.
import { PERMISSIONS, type Principal } from './identity/permissions.ts';

export interface RequestContext {
  principal: Principal;
  clientAddress?: string;
}

/** Work Tarsier does on its own (a pending certificate completing, scheduled jobs): audited as `system`. */
export function systemContext(): RequestContext {
  return {
    principal: { userId: 0, username: 'system', roles: ['admin'], permissions: new Set(PERMISSIONS), actor: 'system' },
  };
}
