// Authority policy as a pipeline: each rule is a small function that looks at the draft certificate and the
// issuing chain and throws PolicyError saying which rule forbids what. All rules run in one place
// (checkIssuancePolicy) before anything is signed.
import net from 'node:net';
import type { NameConstraints, SubjectAltNames } from '../../crypto/types.ts';
import { PolicyError } from '../../errors.ts';

export interface AuthorityPolicy {
  /** Longest validity of a certificate this authority issues (leaf TLS default: 397 days, the CA/B limit). */
  maxValidityDays: number;
  /** Key types the authority signs; empty or absent means all of Tarsier's key types. */
  allowedKeyTypes?: string[];
  /** Whether POST /certificates may ask for basicConstraints CA:TRUE (sub-CAs are normally authorities). */
  allowCaCertificates?: boolean;
  /** When set, only members of these roles (and admins) may issue from this authority. */
  allowedRoles?: string[];
  /** Names outside every registered domain: issued (allow, the default), held for approval, or refused. */
  unregisteredNames?: 'allow' | 'approve' | 'deny';
  nameConstraints?: NameConstraints;
}

export const DEFAULT_POLICY: AuthorityPolicy = { maxValidityDays: 397, allowCaCertificates: false };

export interface PolicyAuthority {
  name: string;
  notAfter: Date;
  policy: AuthorityPolicy;
}

export interface IssuanceDraft {
  sans: Required<SubjectAltNames>;
  keyType: string;
  notBefore: Date;
  notAfter: Date;
  isCa: boolean;
}

/** The issuing authority first, then its parents up to the root. */
export type IssuingChain = PolicyAuthority[];

type Rule = (draft: IssuanceDraft, chain: IssuingChain) => void;

const DAY = 86_400_000;

export const validityRule: Rule = (draft, [issuer]) => {
  if (!issuer) return;
  if (draft.notAfter <= draft.notBefore) throw new PolicyError('notAfter must be later than notBefore');
  const days = (draft.notAfter.getTime() - draft.notBefore.getTime()) / DAY;
  // An hour of slack covers the backdating of notBefore that protects clients with lagging clocks.
  if (days > issuer.policy.maxValidityDays + 1 / 24) {
    throw new PolicyError(
      `authority '${issuer.name}' issues certificates valid for at most ${issuer.policy.maxValidityDays} days; ${Math.round(days)} were asked`,
      { field: 'validityDays', max: issuer.policy.maxValidityDays },
    );
  }
  if (draft.notAfter > issuer.notAfter) {
    throw new PolicyError(
      `the certificate would outlive authority '${issuer.name}', which expires ${issuer.notAfter.toISOString()}; ask for a shorter validity`,
      { field: 'notAfter' },
    );
  }
};

export const keyTypeRule: Rule = (draft, [issuer]) => {
  const allowed = issuer?.policy.allowedKeyTypes;
  if (issuer && allowed && allowed.length > 0 && !allowed.includes(draft.keyType)) {
    throw new PolicyError(
      `authority '${issuer.name}' does not sign ${draft.keyType} keys; allowed: ${allowed.join(', ')}`,
      {
        field: 'keyType',
      },
    );
  }
};

export const caRule: Rule = (draft, [issuer]) => {
  if (issuer && draft.isCa && !issuer.policy.allowCaCertificates) {
    throw new PolicyError(
      `authority '${issuer.name}' does not issue CA certificates; create an intermediate authority (POST /api/v1/authorities) instead`,
      { field: 'basicConstraints' },
    );
  }
};

export function dnsWithin(name: string, base: string): boolean {
  const b = base.replace(/^\./, '').toLowerCase();
  const n = name.replace(/^\*\./, '').toLowerCase();
  return n === b || n.endsWith(`.${b}`);
}

export function ipWithin(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const list = new net.BlockList();
  const type = net.isIP(base ?? '') === 6 ? 'ipv6' : 'ipv4';
  if (net.isIP(ip) !== net.isIP(base ?? '')) return false;
  list.addSubnet(base!, bits, type);
  return list.check(ip, type);
}

function emailWithin(email: string, base: string): boolean {
  if (base.includes('@')) return email.toLowerCase() === base.toLowerCase();
  return dnsWithin(email.slice(email.lastIndexOf('@') + 1), base);
}

function checkKind(
  values: string[],
  permitted: string[] | undefined,
  excluded: string[] | undefined,
  within: (v: string, base: string) => boolean,
  what: string,
  authority: string,
) {
  for (const v of values) {
    const bad = excluded?.find((e) => within(v, e));
    if (bad)
      throw new PolicyError(`${what} '${v}' is excluded by authority '${authority}' (name constraint ${bad})`, {
        field: 'sans',
      });
    if (permitted && permitted.length > 0 && !permitted.some((p) => within(v, p))) {
      throw new PolicyError(
        `${what} '${v}' is outside the names authority '${authority}' may certify: ${permitted.join(', ')}`,
        {
          field: 'sans',
        },
      );
    }
  }
}

export const nameConstraintsRule: Rule = (draft, chain) => {
  for (const a of chain) {
    const nc = a.policy.nameConstraints;
    if (!nc) continue;
    checkKind(draft.sans.dns, nc.permittedDns, nc.excludedDns, dnsWithin, 'DNS name', a.name);
    checkKind(draft.sans.ip, nc.permittedIp, nc.excludedIp, ipWithin, 'IP address', a.name);
    checkKind(draft.sans.email, nc.permittedEmail, nc.excludedEmail, emailWithin, 'e-mail address', a.name);
  }
};

export const RULES: readonly Rule[] = [validityRule, keyTypeRule, caRule, nameConstraintsRule];

/** Runs every rule; the first that forbids the draft throws a PolicyError. */
export function checkIssuancePolicy(draft: IssuanceDraft, chain: IssuingChain): void {
  for (const rule of RULES) rule(draft, chain);
}
