// Who may act on a certificate beyond reading its metadata: admins, and the members of its owner (a team role
// the user holds, or the user themselves by username or e-mail). Services call this with the row in hand.
import { ForbiddenError } from '../../errors.ts';
import { isAdmin, type Principal } from './permissions.ts';

export function ownsCertificate(principal: Principal, owner: string | null, email?: string | null): boolean {
  if (isAdmin(principal)) return true;
  if (owner === null) return false;
  return principal.roles.includes(owner) || owner === principal.username || (!!email && owner === email);
}

/** Throws ForbiddenError naming the owner, e.g. for `export its key`. */
export function requireOwnership(principal: Principal, id: number, owner: string | null, what: string): void {
  if (!ownsCertificate(principal, owner)) {
    const whose = owner ? `belongs to '${owner}'` : 'has no owner';
    throw new ForbiddenError(`certificate ${id} ${whose}; only its owners or an admin may ${what}`);
  }
}

const BUILTIN = new Set(['admin', 'operator', 'user', 'security']);

/**
 * The owner a new certificate gets: what was asked, if the caller may give it (admins and operators may name
 * any owner; others one of their teams or themselves); by default the caller's only team, else the caller.
 */
export function resolveOwner(principal: Principal, requested: string | undefined): string {
  const teams = principal.roles.filter((r) => !BUILTIN.has(r));
  if (requested === undefined || requested === '') return teams.length === 1 ? teams[0]! : principal.username;
  const privileged = isAdmin(principal) || principal.roles.includes('operator');
  if (!privileged && requested !== principal.username && !teams.includes(requested)) {
    throw new ForbiddenError(
      `owner: you may give certificates only to your teams (${teams.join(', ') || 'none'}) or to yourself ('${principal.username}')`,
    );
  }
  return requested;
}

/** An authority restricted to some roles issues only to their members (and admins). */
export function requireAuthorityAccess(
  principal: Principal,
  authorityName: string,
  allowedRoles: readonly string[] | undefined,
): void {
  if (!allowedRoles?.length || isAdmin(principal)) return;
  if (!allowedRoles.some((r) => principal.roles.includes(r))) {
    throw new ForbiddenError(`authority '${authorityName}' is restricted to the roles ${allowedRoles.join(', ')}`);
  }
}
