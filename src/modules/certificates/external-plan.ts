// What an external issuer is asked for: the names (CN, DNS, IP), the key type and a CSR. Options that only a
// Tarsier authority can honour (key usages, extensions, exact dates) are refused by name: the external CA decides
// them, and silently dropping them would issue something other than what was asked.
import type { KeyObject } from 'node:crypto';
import { parseCsr } from '../../crypto/csr.ts';
import { buildCsr } from '../../crypto/csr-builder.ts';
import { generateKeyPair } from '../../crypto/keys.ts';
import { normalizeDnsName, normalizeIp } from '../../crypto/names.ts';
import type { KeyType, ParsedCsr } from '../../crypto/types.ts';
import { ValidationError } from '../../errors.ts';
import type { IssueRequest } from '../issuers/plugin.ts';
import type { AnyIssuerPlugin } from '../issuers/registry.ts';
import { checkPluginSettings } from '../plugin-options.ts';
import type { IssueInput } from './schemas.ts';

const DECIDED_BY_ISSUER = [
  'notBefore',
  'notAfter',
  'keyUsages',
  'extendedKeyUsages',
  'signatureHash',
  'basicConstraints',
  'extraExtensions',
] as const;

export interface ExternalPlan {
  request: IssueRequest;
  /** The key Tarsier generated (absent when the requester sent a CSR). */
  privateKey?: KeyObject;
  publicKey: KeyObject;
  fromCsr: boolean;
}

function names(input: IssueInput, csr: ParsedCsr | undefined) {
  const cn = input.commonName ?? csr?.subject.commonName;
  const dns = (input.sans?.dns ?? (input.commonName ? [] : (csr?.sans.dns ?? []))).map((n, i) =>
    normalizeDnsName(n, `sans.dns[${i}]`),
  );
  const ips = (input.sans?.ip ?? (input.commonName ? [] : (csr?.sans.ip ?? []))).map((n, i) =>
    normalizeIp(n, `sans.ip[${i}]`),
  );
  if (!cn && dns.length === 0 && ips.length === 0) {
    throw new ValidationError('commonName', 'give a name to certify: commonName or sans.dns');
  }
  const commonName = cn ? normalizeDnsName(cn, 'commonName') : (dns[0] ?? ips[0]!);
  if (cn && input.includeCommonNameInSans !== false && !dns.includes(commonName)) dns.unshift(commonName);
  return { commonName, dns: [...new Set(dns)], ips: [...new Set(ips)] };
}

/** Validates the request for `plugin`, then makes the key and CSR (or takes the requester's CSR). */
export async function planExternal(input: IssueInput, plugin: AnyIssuerPlugin): Promise<ExternalPlan> {
  for (const field of DECIDED_BY_ISSUER) {
    if (input[field] !== undefined) {
      throw new ValidationError(
        field,
        `is decided by the ${plugin.title} issuer; leave it out (it cannot be honoured)`,
      );
    }
  }
  for (const field of ['email', 'uri'] as const) {
    if (input.sans?.[field]?.length) {
      throw new ValidationError(
        `sans.${field}`,
        `the ${plugin.title} issuer certifies DNS names and IP addresses only`,
      );
    }
  }
  const extraSubject = Object.keys(input.subject ?? {}).filter((k) => k !== 'commonName');
  if (extraSubject.length) {
    throw new ValidationError(
      `subject.${extraSubject[0]}`,
      `is decided by the ${plugin.title} issuer; give commonName only`,
    );
  }
  const requestOptions = checkPluginSettings(plugin.requestOptions, input.issuerOptions, 'issuerOptions');
  const csr = input.csr ? parseCsr(input.csr, 'csr') : undefined;
  if (csr && input.keyType) {
    throw new ValidationError('keyType', "the CSR's key is certified; leave keyType out when sending a CSR");
  }
  const n = names({ ...input, commonName: input.commonName ?? input.subject?.commonName }, csr);
  const keyType = csr?.keyType ?? input.keyType ?? 'ec-p256';
  let privateKey: KeyObject | undefined;
  let publicKey: KeyObject;
  let csrPem: string;
  if (csr) {
    publicKey = csr.publicKey;
    csrPem = input.csr!;
  } else {
    const pair = await generateKeyPair(keyType as KeyType);
    privateKey = pair.privateKey;
    publicKey = pair.publicKey;
    csrPem = buildCsr({ commonName: n.commonName }, { dns: n.dns, ip: n.ips }, pair.privateKey, pair.publicKey);
  }
  return {
    request: {
      csrPem,
      commonName: n.commonName,
      dnsNames: n.dns,
      ipAddresses: n.ips,
      keyType,
      validityDays: input.validityDays,
      requestOptions,
    },
    privateKey,
    publicKey,
    fromCsr: Boolean(csr),
  };
}
