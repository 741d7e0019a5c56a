// Sources reach hosts only through the outbound guard (src/net/outbound.ts): a refused or unresolvable address
// becomes that item's error, and the scanner connects to the address the guard checked, so DNS cannot rebind.
import type { OutboundGuard } from '../../net/outbound.ts';
import type { Outbound } from './plugin.ts';

export const throughGuard = (guard: Pick<OutboundGuard, 'resolveAllowed' | 'connect'>): Outbound => ({
  resolve: async (host) => (await guard.resolveAllowed(host)).map((a) => a.address),
  connect: guard.connect,
});
