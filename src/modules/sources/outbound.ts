// Sources reach hosts only through the outbound guard (src/net/outbound.ts): a refused or unresolvable address
// becomes that item's error, and the scanner connects to the address the guard checked, so DNS cannot rebind.
// A name that does not resolve is said in words rather than as getaddrinfo's code, since it lands in item lists.
import type { OutboundGuard } from '../../net/outbound.ts';
import type { Outbound } from './plugin.ts';

async function naming<T>(host: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA')
      throw new Error(`cannot resolve ${host} (${code})`);
    throw e;
  }
}

export const throughGuard = (guard: Pick<OutboundGuard, 'resolveAllowed' | 'connect'>): Outbound => ({
  resolve: (host) => naming(host, async () => (await guard.resolveAllowed(host)).map((a) => a.address)),
  connect: (host, port, timeoutMs) => naming(host, () => guard.connect(host, port, timeoutMs)),
});
