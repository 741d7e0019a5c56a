// Expands the TLS source's target list into the (host, port, SNI name) triples to scan. Accepted forms:
// `host`, `host:port`, `10.0.0.0/24`, `10.0.0.0/24:8443`, `[2001:db8::1]:443`, each optionally prefixed by
// `sni@` to name the server name sent. Pure, so that a typo is a 400 at creation rather than a failed run.
import net from 'node:net';
import { SourceConfigError } from '../plugin.ts';

export interface TlsTarget {
  host: string;
  port: number;
  serverName?: string;
}

/** A scan of more than this many (address, port, name) triples is refused: it is a typo, or a job for nmap. */
export const MAX_TARGETS = 65_536;

const DNS_NAME =
  /^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9_]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

interface Parsed {
  hosts: string[];
  port?: number;
  serverName?: string;
}

function port(text: string, field: string): number {
  const n = Number(text);
  if (!/^\d{1,5}$/.test(text) || n < 1 || n > 65535)
    throw new SourceConfigError(field, `'${text}' is not a port (1–65535)`);
  return n;
}

function expandCidr(base: string, prefixText: string, field: string): string[] {
  if (net.isIPv6(base)) throw new SourceConfigError(field, 'IPv6 ranges are not scanned; list the addresses instead');
  const prefix = Number(prefixText);
  if (!net.isIPv4(base) || !/^\d{1,2}$/.test(prefixText) || prefix > 32)
    throw new SourceConfigError(field, `'${base}/${prefixText}' is not an IPv4 range such as 10.0.0.0/24`);
  if (prefix < 16) throw new SourceConfigError(field, `/${prefix} is too wide; scan at most a /16 per entry`);
  const start = base.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const size = 2 ** (32 - prefix);
  const first = start - (start % size);
  const out: string[] = [];
  for (let i = 0; i < size; i++) {
    const v = first + i;
    out.push([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.'));
  }
  return out;
}

function parseEntry(entry: string, field: string): Parsed {
  let rest = entry.trim();
  let serverName: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    serverName = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!DNS_NAME.test(serverName))
      throw new SourceConfigError(field, `'${serverName}' is not a DNS name to send as SNI`);
  }
  const bracket = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(rest);
  if (bracket) {
    if (!net.isIPv6(bracket[1]!)) throw new SourceConfigError(field, `'${bracket[1]}' is not an IPv6 address`);
    return { hosts: [bracket[1]!], port: bracket[2] ? port(bracket[2], field) : undefined, serverName };
  }
  if (net.isIPv6(rest)) return { hosts: [rest], serverName };
  if (net.isIPv6(rest.split('/')[0]!))
    throw new SourceConfigError(field, 'IPv6 ranges are not scanned; list the addresses instead');
  const [hostPart, portText, extra] = rest.split(':');
  if (extra !== undefined || !hostPart)
    throw new SourceConfigError(field, `'${entry}' is not host, host:port or a CIDR range`);
  const p = portText === undefined ? undefined : port(portText, field);
  const slash = hostPart.indexOf('/');
  if (slash >= 0)
    return { hosts: expandCidr(hostPart.slice(0, slash), hostPart.slice(slash + 1), field), port: p, serverName };
  if (!net.isIPv4(hostPart) && !DNS_NAME.test(hostPart))
    throw new SourceConfigError(field, `'${hostPart}' is neither an IP address nor a DNS name`);
  return { hosts: [hostPart], port: p, serverName };
}

/**
 * Every (host, port, server name) to scan. An entry without a port is scanned on each of `ports`; one without
 * `sni@` sends each of `serverNames`, or, when there are none, the host itself when it is a name.
 * Throws SourceConfigError naming `options.targets[i]`.
 */
export function expandTargets(targets: string[], ports: number[], serverNames: string[]): TlsTarget[] {
  const out: TlsTarget[] = [];
  targets.forEach((entry, i) => {
    const field = `options.targets[${i}]`;
    const parsed = parseEntry(entry, field);
    for (const host of parsed.hosts) {
      const names = parsed.serverName
        ? [parsed.serverName]
        : serverNames.length
          ? serverNames
          : [net.isIP(host) ? undefined : host];
      for (const p of parsed.port ? [parsed.port] : ports) {
        for (const serverName of names) out.push(serverName ? { host, port: p, serverName } : { host, port: p });
        if (out.length > MAX_TARGETS)
          throw new SourceConfigError(field, `the targets expand to more than ${MAX_TARGETS} scans; narrow the ranges`);
      }
    }
  });
  return out;
}

export function isServerName(name: string): boolean {
  return DNS_NAME.test(name);
}
