// The outbound guard: every connection Tarsier makes on a user's behalf (SFTP, webhooks, TLS scans) resolves the
// name here, refuses addresses the admin has not allowed, and connects to exactly the address it checked, so a
// name cannot rebind to a refused address between the check and the connection. Redirects are followed by hand
// and each hop is checked again. Policy: TARSIER_OUTBOUND_ALLOW (see config.ts).
import dns from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { PolicyError, ValidationError } from '../errors.ts';

/** Address classes an admin can allow; public addresses are always allowed, unspecified and multicast never. */
export const OUTBOUND_CLASSES = ['private', 'loopback', 'link-local'] as const;
export type OutboundClass = (typeof OUTBOUND_CLASSES)[number];

export interface OutboundPolicy {
  allow: ReadonlySet<OutboundClass>;
  /** Extra ranges allowed whatever their class, e.g. one metadata proxy. */
  cidrs: readonly string[];
}

const RANGES: Record<OutboundClass | 'never', [string, number, 'ipv4' | 'ipv6'][]> = {
  // Link-local covers the cloud metadata services (169.254.169.254, AWS's fd00:ec2::254, Alibaba's 100.100.100.200).
  'link-local': [
    ['169.254.0.0', 16, 'ipv4'],
    ['100.100.100.200', 32, 'ipv4'],
    ['fe80::', 10, 'ipv6'],
    ['fd00:ec2::254', 128, 'ipv6'],
  ],
  loopback: [
    ['127.0.0.0', 8, 'ipv4'],
    ['::1', 128, 'ipv6'],
  ],
  private: [
    ['10.0.0.0', 8, 'ipv4'],
    ['172.16.0.0', 12, 'ipv4'],
    ['192.168.0.0', 16, 'ipv4'],
    ['100.64.0.0', 10, 'ipv4'],
    ['fc00::', 7, 'ipv6'],
  ],
  never: [
    ['0.0.0.0', 8, 'ipv4'],
    ['224.0.0.0', 3, 'ipv4'],
    ['::', 128, 'ipv6'],
    ['ff00::', 8, 'ipv6'],
  ],
};

function blockList(ranges: [string, number, 'ipv4' | 'ipv6'][]): net.BlockList {
  const list = new net.BlockList();
  for (const [a, p, f] of ranges) list.addSubnet(a, p, f);
  return list;
}
// Checked in this order: metadata addresses sit inside the private ranges and must be classed link-local.
const CLASSES = (['never', 'link-local', 'loopback', 'private'] as const).map(
  (c) => [c, blockList(RANGES[c])] as const,
);

/** Parses `private,loopback,10.9.0.0/16`; throws ValidationError naming the setting. */
export function parseOutboundPolicy(text: string, setting = 'TARSIER_OUTBOUND_ALLOW'): OutboundPolicy {
  const allow = new Set<OutboundClass>();
  const cidrs: string[] = [];
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if ((OUTBOUND_CLASSES as readonly string[]).includes(item)) allow.add(item as OutboundClass);
    else if (/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(item) && net.isIP(item.split('/')[0]!)) cidrs.push(item);
    else throw new ValidationError(setting, `'${item}' is neither ${OUTBOUND_CLASSES.join(', ')} nor a CIDR range`);
  }
  return { allow, cidrs };
}

/** Refused by the outbound policy: a 422 that says which address and which setting allows it. */
export class OutboundRefused extends PolicyError {
  constructor(host: string, address: string, why: string) {
    super(
      `${host} resolves to ${address}, ${why}; Tarsier does not connect there unless an admin allows it (TARSIER_OUTBOUND_ALLOW)`,
      { host, address },
    );
  }
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface GuardedRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Extra trusted CA certificates (PEM) for https. */
  ca?: string;
  timeoutMs?: number;
  maxRedirects?: number;
}

export function createOutboundGuard(policy: OutboundPolicy) {
  const extra = new net.BlockList();
  for (const c of policy.cidrs) {
    const [a, p] = c.split('/');
    extra.addSubnet(a!, Number(p), net.isIPv6(a!) ? 'ipv6' : 'ipv4');
  }

  /** Why `address` is refused, or undefined when it is allowed. */
  function refusal(address: string): string | undefined {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const ip = mapped ?? address;
    const family = net.isIPv6(ip) ? 'ipv6' : 'ipv4';
    if (extra.check(ip, family)) return undefined;
    for (const [cls, list] of CLASSES) {
      if (!list.check(ip, family)) continue;
      if (cls === 'never') return 'an unspecified or multicast address';
      return policy.allow.has(cls) ? undefined : `a ${cls} address`;
    }
    return undefined;
  }

  /**
   * Resolves `host` (a name or an IP literal) and returns its allowed addresses. Throws OutboundRefused when
   * every address is refused, UpstreamError-like Error when the name does not resolve.
   */
  async function resolveAllowed(host: string): Promise<ResolvedAddress[]> {
    const bare = host.replace(/^\[(.*)\]$/, '$1');
    const found: ResolvedAddress[] = net.isIP(bare)
      ? [{ address: bare, family: net.isIPv6(bare) ? 6 : 4 }]
      : (
          await dns.lookup(bare, { all: true, verbatim: true }).catch((e: NodeJS.ErrnoException) => {
            throw new Error(`cannot resolve ${host}: ${e.code ?? e.message}`);
          })
        ).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
    const allowed = found.filter((a) => refusal(a.address) === undefined);
    if (allowed.length === 0) {
      const first = found[0];
      if (!first) throw new Error(`${host} does not resolve`);
      throw new OutboundRefused(host, first.address, refusal(first.address)!);
    }
    return allowed;
  }

  /** Opens a TCP connection to an allowed address of `host` (tried in order), within `timeoutMs`. */
  async function connect(host: string, port: number, timeoutMs = 10_000): Promise<net.Socket> {
    let last: Error | undefined;
    for (const target of await resolveAllowed(host)) {
      try {
        return await new Promise<net.Socket>((resolve, reject) => {
          const socket = net.connect({ host: target.address, port, family: target.family });
          socket.setTimeout(timeoutMs, () =>
            socket.destroy(new Error(`connecting to ${host}:${port} timed out after ${timeoutMs} ms`)),
          );
          socket.once('connect', () => {
            socket.setTimeout(0);
            resolve(socket);
          });
          socket.once('error', reject);
        });
      } catch (e) {
        last = e as Error;
      }
    }
    throw last ?? new Error(`${host}:${port} could not be reached`);
  }

  /** One HTTP exchange with an already checked address (no redirects followed). */
  function exchange(url: URL, target: ResolvedAddress, req: GuardedRequest): Promise<Response> {
    const lib = url.protocol === 'https:' ? https : http;
    const lookup: net.LookupFunction = (_h, opts, cb) => {
      // Node asks for every address (`all`) when it may try several; either way it gets only the checked one.
      if ((opts as { all?: boolean }).all) (cb as unknown as (e: null, a: ResolvedAddress[]) => void)(null, [target]);
      else cb(null, target.address, target.family);
    };
    return new Promise((resolve, reject) => {
      const r = lib.request(
        url,
        {
          method: req.method ?? 'GET',
          headers: req.headers,
          lookup,
          ca: req.ca,
          servername: net.isIP(url.hostname) ? undefined : url.hostname,
          timeout: req.timeoutMs ?? 15_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 502;
            const headers = new Headers();
            for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
            const body = [204, 205, 304].includes(status) ? null : Buffer.concat(chunks);
            resolve(new Response(body, { status, headers }));
          });
        },
      );
      r.on('timeout', () => r.destroy(new Error(`${url.origin} did not answer within ${req.timeoutMs ?? 15_000} ms`)));
      r.on('error', reject);
      r.end(req.body);
    });
  }

  /** fetch through the guard: every hop's address is checked; redirects are followed up to `maxRedirects`. */
  async function guardedFetch(input: string | URL, req: GuardedRequest = {}): Promise<Response> {
    let url = new URL(input);
    let current = req;
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new ValidationError('url', `'${url.protocol}' is not http: or https:`);
      const [target] = await resolveAllowed(url.hostname);
      const res = await exchange(url, target!, current);
      const location = res.headers.get('location');
      if (![301, 302, 303, 307, 308].includes(res.status) || !location) return res;
      if (hop >= (req.maxRedirects ?? 5))
        throw new Error(`${input} redirected more than ${req.maxRedirects ?? 5} times`);
      url = new URL(location, url);
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && current.method === 'POST'))
        current = { ...current, method: 'GET', body: undefined };
    }
  }

  return { resolveAllowed, connect, fetch: guardedFetch, refusal };
}

export type OutboundGuard = ReturnType<typeof createOutboundGuard>;
