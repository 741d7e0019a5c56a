// TEMPORARY: replaced by the outbound guard (destinations work), which every connection Tarsier makes on a
// user's behalf passes. Until it is merged, sources resolve names here and refuse only link-local and cloud
// metadata addresses; loopback and private ranges are allowed (the tests scan 127.0.0.1).
import dns from 'node:dns/promises';
import net from 'node:net';
import type { Outbound } from './plugin.ts';

function isRefused(address: string): boolean {
  if (net.isIPv4(address)) return address.startsWith('169.254.');
  const a = address.toLowerCase();
  return /^fe[89ab]/.test(a) || a === 'fd00:ec2::254';
}

/** TEMPORARY: replaced by the outbound guard. */
export const temporaryOutbound: Outbound = {
  async resolve(host) {
    const addresses = net.isIP(host)
      ? [host]
      : (
          await dns.lookup(host, { all: true }).catch((e: NodeJS.ErrnoException) => {
            throw new Error(`cannot resolve ${host}: ${e.code ?? e.message}`);
          })
        ).map((a) => a.address);
    const allowed = addresses.filter((a) => !isRefused(a));
    if (allowed.length === 0) throw new Error(`refused: ${host} is a link-local or cloud metadata address`);
    return allowed;
  },
};
