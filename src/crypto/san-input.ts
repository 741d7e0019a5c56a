// Subject alternative names as users type them: each list validated and de-duplicated with field names such
// as `sans.dns[2]`, and the common name copied into the SANs where it belongs, as browsers require.
import net from 'node:net';
import { ValidationError } from '../errors.ts';
import { normalizeDnsName, normalizeEmail, normalizeIp } from './names.ts';
import type { SubjectAltNames } from './types.ts';

export function normalizeUri(value: string, field: string): string {
  const text = value.trim();
  try {
    if (!/^[a-z][a-z0-9+.-]*:/i.test(text)) throw new Error('no scheme');
    new URL(text);
    return text;
  } catch {
    throw new ValidationError(field, `'${value}' is not an absolute URI (scheme:…, e.g. spiffe://example.org/app)`);
  }
}

/** Validates and de-duplicates every SAN list. */
export function normalizeSans(sans: SubjectAltNames | undefined, prefix = 'sans'): Required<SubjectAltNames> {
  const uniq = (xs: string[]) => [...new Set(xs)];
  return {
    dns: uniq((sans?.dns ?? []).map((v, i) => normalizeDnsName(v, `${prefix}.dns[${i}]`))),
    ip: uniq((sans?.ip ?? []).map((v, i) => normalizeIp(v, `${prefix}.ip[${i}]`))),
    email: uniq((sans?.email ?? []).map((v, i) => normalizeEmail(v, `${prefix}.email[${i}]`))),
    uri: uniq((sans?.uri ?? []).map((v, i) => normalizeUri(v, `${prefix}.uri[${i}]`))),
  };
}

/** Adds the common name to the DNS (or IP) SANs unless it is there already or is neither kind of name. */
export function withCommonNameInSans(
  commonName: string | undefined,
  sans: Required<SubjectAltNames>,
): Required<SubjectAltNames> {
  const cn = commonName?.trim();
  if (!cn) return sans;
  if (net.isIP(cn)) {
    const ip = normalizeIp(cn, 'commonName');
    return sans.ip.includes(ip) ? sans : { ...sans, ip: [ip, ...sans.ip] };
  }
  let dns: string;
  try {
    dns = normalizeDnsName(cn, 'commonName');
  } catch {
    return sans; // a CN such as "Alice Smith" names a person, not a host
  }
  return sans.dns.includes(dns) ? sans : { ...sans, dns: [dns, ...sans.dns] };
}
