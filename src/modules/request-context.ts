// Who is calling and from where: passed from routes to services so that rules and audit events can name them.
import type { Principal } from './identity/permissions.ts';

export interface RequestContext {
  principal: Principal;
  clientAddress?: string;
}
