// Turns an issue request into a certificate spec: fills the sane defaults (P-256, CN in the SANs, serverAuth,
// digitalSignature, 397 days capped by the authority), validates every option and names the field at fault.
// Pure: no I/O, so every default and message is unit-tested directly.
import net from 'node:net';
import { randomSerial } from '../../crypto/certificate-builder.ts';
import { normalizeDnsName, normalizeSubject } from '../../crypto/names.ts';
import { normalizeSans, withCommonNameInSans } from '../../crypto/san-input.ts';
import {
  type CertificateSpec,
  EXTENDED_KEY_USAGES,
  type KeyUsage,
  type ParsedCsr,
  type SubjectAltNames,
} from '../../crypto/types.ts';
import { ValidationError } from '../../errors.ts';
import type { IssuanceDraft } from '../authorities/policy.ts';
import type { IssueInput } from './schemas.ts';

const DAY = 86_400_000;
/** Signed a minute in the past, so that a client whose clock lags slightly still accepts the certificate. */
const BACKDATE_MS = 60_000;

export interface IssuePlan {
  spec: Omit<CertificateSpec, 'publicKey'>;
  draft: Omit<IssuanceDraft, 'keyType'>;
  commonName: string;
  sans: Required<SubjectAltNames>;
}

function parseDate(value: string, field: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime()))
    throw new ValidationError(field, `'${value}' is not an ISO 8601 date-time (e.g. 2027-01-31T00:00:00Z)`);
  return d;
}

export function resolveExtendedKeyUsages(values: string[]): string[] {
  return values.map((v, i) => {
    const named = (EXTENDED_KEY_USAGES as Record<string, string>)[v];
    if (named) return named;
    if (/^[0-2](\.\d+)+$/.test(v)) return v;
    throw new ValidationError(
      `extendedKeyUsages[${i}]`,
      `'${v}' is not a known usage (${Object.keys(EXTENDED_KEY_USAGES).join(', ')}) nor a dotted OID`,
    );
  });
}

function validity(input: IssueInput, now: Date, authorityMaxDays: number): { notBefore: Date; notAfter: Date } {
  const notBefore = input.notBefore ? parseDate(input.notBefore, 'notBefore') : new Date(now.getTime() - BACKDATE_MS);
  if (input.notAfter && input.validityDays !== undefined) {
    throw new ValidationError('validityDays', 'give either validityDays or notAfter, not both');
  }
  const days = input.validityDays ?? Math.min(397, authorityMaxDays);
  const notAfter = input.notAfter
    ? parseDate(input.notAfter, 'notAfter')
    : new Date(notBefore.getTime() + BACKDATE_MS + days * DAY);
  if (notAfter <= notBefore) throw new ValidationError('notAfter', 'must be later than notBefore');
  return { notBefore, notAfter };
}

function defaultKeyUsages(keyType: string): KeyUsage[] {
  // RSA keys may still be used for TLS 1.2 RSA key exchange, which needs keyEncipherment.
  return keyType.startsWith('rsa') ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'];
}

/** A TLS server certificate must name hosts: its CN (when copied to the SANs) must be a DNS name or an IP. */
function requireHostNames(commonName: string, sans: Required<SubjectAltNames>, cnInSans: boolean): void {
  if (
    cnInSans &&
    commonName &&
    !sans.dns.includes(commonName.toLowerCase()) &&
    !sans.ip.length &&
    net.isIP(commonName) === 0
  ) {
    normalizeDnsName(commonName, 'commonName'); // throws the precise message
  }
  if (sans.dns.length + sans.ip.length === 0) {
    throw new ValidationError(
      'sans.dns',
      'a TLS server certificate (serverAuth) needs at least one DNS name or IP address',
    );
  }
}

/** Plans a certificate for `input` (and its CSR, if any) with a key of `keyType`, from an authority allowing `authorityMaxDays`. */
export function planIssuance(
  input: IssueInput,
  keyType: string,
  now: Date,
  authorityMaxDays: number,
  csr?: ParsedCsr,
): IssuePlan {
  const subject = normalizeSubject({
    ...(input.subject ?? csr?.subject ?? {}),
    ...(input.commonName ? { commonName: input.commonName } : {}),
  });
  const commonName = subject.commonName ?? '';
  let sans = normalizeSans(input.sans ?? csr?.sans);
  if (input.includeCommonNameInSans !== false) sans = withCommonNameInSans(commonName, sans);
  const sanCount = sans.dns.length + sans.ip.length + sans.email.length + sans.uri.length;
  if (!commonName && sanCount === 0) {
    throw new ValidationError(
      'commonName',
      'give a common name or at least one subject alternative name (sans.dns, sans.ip, …)',
    );
  }
  const extendedKeyUsages = resolveExtendedKeyUsages(
    input.extendedKeyUsages ?? (input.basicConstraints?.ca ? [] : ['serverAuth']),
  );
  if (extendedKeyUsages.includes(EXTENDED_KEY_USAGES.serverAuth))
    requireHostNames(commonName, sans, input.includeCommonNameInSans !== false);
  const { notBefore, notAfter } = validity(input, now, authorityMaxDays);
  const isCa = input.basicConstraints?.ca === true;
  if (!isCa && input.basicConstraints?.pathLength !== undefined) {
    throw new ValidationError('basicConstraints.pathLength', 'only applies to CA certificates (ca: true)');
  }
  const spec: IssuePlan['spec'] = {
    serial: randomSerial(),
    subject,
    notBefore,
    notAfter,
    sans,
    keyUsages: input.keyUsages ?? (isCa ? ['digitalSignature', 'keyCertSign', 'cRLSign'] : defaultKeyUsages(keyType)),
    extendedKeyUsages,
    basicConstraints: input.basicConstraints ? { ...input.basicConstraints, critical: true } : undefined,
    extraExtensions: input.extraExtensions?.map((e, i) => {
      if (!/^[A-Za-z0-9+/]+=*$/.test(e.valueBase64))
        throw new ValidationError(`extraExtensions[${i}].valueBase64`, 'is not base64');
      return e;
    }),
    signatureHash: input.signatureHash,
  };
  return { spec, draft: { sans, notBefore, notAfter, isCa }, commonName, sans };
}
