// Checks a requested name as the user types, before anything is sent: its form (DNS name, wildcard, IP), the
// chosen authority's name constraints and unregistered-name rule, and whether a sensitive domain will hold the
// request for approval. The server checks all of it again; this is only to say early and plainly what will happen.
import type { Authority, Domain } from './types.ts';

export type NameCheck =
  | { level: 'error'; message: string }
  | { level: 'approval'; message: string }
  | { level: 'ok'; message: string };

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIp(name: string): boolean {
  return IPV4.test(name) || (name.includes(':') && /^[0-9a-f:.]+$/i.test(name));
}

/** Why a DNS name is malformed, or undefined when it is well formed. */
export function dnsNameProblem(name: string): string | undefined {
  if (!name) return 'type a name, e.g. www.example.com';
  if (/\s/.test(name)) return 'a DNS name has no spaces';
  if (name.length > 253) return 'a DNS name has at most 253 characters';
  const labels = name.toLowerCase().split('.');
  if (labels.length < 2) return 'give the full name with its domain, e.g. www.example.com';
  for (const [i, label] of labels.entries()) {
    if (label === '*' && i === 0) continue;
    if (label.includes('*')) return 'a wildcard may only be the whole leftmost label (*.example.com)';
    if (!LABEL.test(label))
      return `'${label}' is not a valid label: letters, digits and inner hyphens, 1-63 characters`;
  }
  return undefined;
}

/** True when `name` is `domain` or lies under it (`*.example.com` counts as under example.com). */
export function isUnder(name: string, domain: string): boolean {
  const n = name.toLowerCase().replace(/^\*\./, '');
  const d = domain.toLowerCase().replace(/^\*\./, '');
  return n === d || n.endsWith(`.${d}`);
}

/** The registered domain that covers a name most closely (the longest match). */
export function coveringDomain(name: string, domains: readonly Domain[]): Domain | undefined {
  return domains.filter((d) => isUnder(name, d.name)).sort((a, b) => b.name.length - a.name.length)[0];
}

export function checkName(name: string, domains: readonly Domain[], authority?: Authority): NameCheck {
  const trimmed = name.trim();
  if (isIp(trimmed)) return { level: 'ok', message: 'IP address' };
  const problem = dnsNameProblem(trimmed);
  if (problem) return { level: 'error', message: problem };
  const nc = authority?.policy.nameConstraints;
  const excluded = nc?.excludedDns?.find((d) => isUnder(trimmed, d));
  if (excluded) return { level: 'error', message: `${authority!.name} may not sign names under ${excluded}` };
  if (nc?.permittedDns?.length && !nc.permittedDns.some((d) => isUnder(trimmed, d))) {
    return { level: 'error', message: `${authority!.name} signs only names under ${nc.permittedDns.join(', ')}` };
  }
  const domain = coveringDomain(trimmed, domains);
  if (domain?.sensitive) {
    return { level: 'approval', message: `${domain.name} is sensitive: a security reviewer must approve this name` };
  }
  if (!domain) {
    const rule = authority?.policy.unregisteredNames ?? 'allow';
    if (rule === 'deny')
      return { level: 'error', message: `${authority?.name} refuses names outside registered domains` };
    if (rule === 'approve') return { level: 'approval', message: 'not in a registered domain: it needs approval' };
    return { level: 'ok', message: 'not in a registered domain' };
  }
  return { level: 'ok', message: `in ${domain.name}` };
}

/** Names to offer while typing: the text completed with each registered domain it could belong to. */
export function suggestNames(text: string, domains: readonly Domain[], max = 6): string[] {
  const t = text.trim().toLowerCase();
  if (!t) return [];
  const out: string[] = [];
  for (const d of domains) {
    const base = d.name.replace(/^\*\./, '');
    const dot = t.indexOf('.');
    const host = dot < 0 ? t : t.slice(0, dot);
    const rest = dot < 0 ? '' : t.slice(dot + 1);
    if (rest && !base.startsWith(rest)) continue;
    const candidate = `${host}.${base}`;
    if (candidate !== t && !out.includes(candidate)) out.push(candidate);
  }
  return out.slice(0, max);
}
