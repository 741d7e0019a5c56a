// The v3 extensions Tarsier writes, each a small DER function of the spec (RFC 5280 section 4.2), kept apart from
// the certificate skeleton in certificate-builder.ts. Input is validated here only as far as encoding needs:
// policy (which names an authority may certify) is the authorities module's job.
import { ValidationError } from '../errors.ts';
import {
  bitString,
  contextConstructed,
  contextPrimitive,
  DerError,
  EMPTY,
  objectIdentifier,
  octetString,
  readRoot,
  sequence,
  smallInteger,
  TRUE,
} from './der.ts';
import { parseCidr, parseIp } from './ip.ts';
import { decodeBase64 } from './pem.ts';
import { type CertificateSpec, EXTENDED_KEY_USAGES, KEY_USAGES, type SubjectAltNames } from './types.ts';

export const OID = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  cRLDistributionPoints: '2.5.29.31',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ocsp: '1.3.6.1.5.5.7.48.1',
} as const;

const BUILT_OIDS = new Set<string>(Object.values(OID));

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return sequence(objectIdentifier(oid), critical ? TRUE : EMPTY, octetString(value));
}

function ascii(value: string, field: string): Uint8Array {
  if (!/^[\x21-\x7e]+$/.test(value)) throw new ValidationError(field, `'${value}' must be ASCII without spaces`);
  return Buffer.from(value, 'latin1');
}

// GeneralName CHOICE tags (RFC 5280 4.2.1.6): rfc822Name [1], dNSName [2], uniformResourceIdentifier [6], iPAddress [7]
const email = (v: string, f: string): Uint8Array => contextPrimitive(1, ascii(v, f));
const dns = (v: string, f: string): Uint8Array => contextPrimitive(2, ascii(v, f));
const uri = (v: string, f: string): Uint8Array => contextPrimitive(6, ascii(v, f));

function ip(value: string, field: string): Uint8Array {
  const bytes = parseIp(value);
  if (!bytes) throw new ValidationError(field, `'${value}' is not an IPv4 or IPv6 address`);
  return contextPrimitive(7, bytes);
}

function ipSubtree(value: string, field: string): Uint8Array {
  const bytes = parseCidr(value);
  if (!bytes) throw new ValidationError(field, `'${value}' is not a network such as 10.0.0.0/8 (host bits zero)`);
  return contextPrimitive(7, bytes);
}

export function hasSans(sans: SubjectAltNames | undefined): boolean {
  return !!sans && [sans.dns, sans.ip, sans.email, sans.uri].some((list) => list && list.length > 0);
}

/** GeneralNames in the order dns, ip, email, uri. */
function generalNames(sans: SubjectAltNames): Uint8Array[] {
  return [
    ...(sans.dns ?? []).map((v, i) => dns(v, `sans.dns[${i}]`)),
    ...(sans.ip ?? []).map((v, i) => ip(v, `sans.ip[${i}]`)),
    ...(sans.email ?? []).map((v, i) => email(v, `sans.email[${i}]`)),
    ...(sans.uri ?? []).map((v, i) => uri(v, `sans.uri[${i}]`)),
  ];
}

function keyUsage(usages: readonly string[]): Uint8Array {
  let bits = 0;
  let highest = -1;
  for (const [i, usage] of usages.entries()) {
    const bit = (KEY_USAGES as readonly string[]).indexOf(usage);
    if (bit < 0) throw new ValidationError(`keyUsages[${i}]`, `'${usage}' is not one of ${KEY_USAGES.join(', ')}`);
    bits |= 1 << (15 - bit);
    highest = Math.max(highest, bit);
  }
  // DER: trailing zero bits are dropped, so the length and the unused-bit count follow the highest bit set.
  const bytes = highest >= 8 ? Uint8Array.of(bits >> 8, bits & 0xff) : Uint8Array.of(bits >> 8);
  return bitString(bytes, bytes.length * 8 - 1 - highest);
}

function extendedKeyUsage(usages: readonly string[]): Uint8Array {
  const named: Record<string, string> = EXTENDED_KEY_USAGES;
  return sequence(
    ...usages.map((usage, i) => {
      try {
        return objectIdentifier(named[usage] ?? usage);
      } catch {
        throw new ValidationError(`extendedKeyUsages[${i}]`, `'${usage}' is neither a dotted OID nor a known name`);
      }
    }),
  );
}

function basicConstraints(bc: NonNullable<CertificateSpec['basicConstraints']>): Uint8Array {
  if (bc.pathLength !== undefined && (!bc.ca || !Number.isSafeInteger(bc.pathLength) || bc.pathLength < 0)) {
    throw new ValidationError('basicConstraints.pathLength', 'is only allowed on a CA, as a whole number ≥ 0');
  }
  return sequence(bc.ca ? TRUE : EMPTY, bc.pathLength === undefined ? EMPTY : smallInteger(bc.pathLength));
}

function nameConstraints(nc: NonNullable<CertificateSpec['nameConstraints']>): Uint8Array | undefined {
  const f = 'nameConstraints';
  // GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] DEFAULT 0, maximum [1] OPTIONAL }
  const subtrees = (dnsNames: string[] = [], ips: string[] = [], emails: string[] = [], kind: string) => [
    ...dnsNames.map((v, i) => sequence(dns(v, `${f}.${kind}Dns[${i}]`))),
    ...ips.map((v, i) => sequence(ipSubtree(v, `${f}.${kind}Ip[${i}]`))),
    ...emails.map((v, i) => sequence(email(v, `${f}.${kind}Email[${i}]`))),
  ];
  const permitted = subtrees(nc.permittedDns, nc.permittedIp, nc.permittedEmail, 'permitted');
  const excluded = subtrees(nc.excludedDns, nc.excludedIp, nc.excludedEmail, 'excluded');
  if (permitted.length === 0 && excluded.length === 0) return undefined; // an empty NameConstraints is forbidden
  return sequence(
    permitted.length ? contextConstructed(0, ...permitted) : EMPTY,
    excluded.length ? contextConstructed(1, ...excluded) : EMPTY,
  );
}

/** One DistributionPoint whose fullName lists every URL: they are locations of the same CRL. */
function crlDistributionPoints(urls: string[]): Uint8Array {
  const names = urls.map((v, i) => uri(v, `crlDistributionPoints[${i}]`));
  return sequence(sequence(contextConstructed(0, contextConstructed(0, ...names))));
}

function authorityInfoAccess(ocspUrls: string[]): Uint8Array {
  return sequence(...ocspUrls.map((v, i) => sequence(objectIdentifier(OID.ocsp), uri(v, `ocspUrls[${i}]`))));
}

function extraExtension(ext: NonNullable<CertificateSpec['extraExtensions']>[number], i: number, seen: Set<string>) {
  const field = `extraExtensions[${i}]`;
  if (BUILT_OIDS.has(ext.oid)) {
    throw new ValidationError(`${field}.oid`, `${ext.oid} is an extension Tarsier builds itself: use its own field`);
  }
  if (seen.has(ext.oid)) throw new ValidationError(`${field}.oid`, `${ext.oid} appears twice`);
  seen.add(ext.oid);
  try {
    objectIdentifier(ext.oid);
  } catch {
    throw new ValidationError(`${field}.oid`, `'${ext.oid}' is not a dotted OID such as 1.3.6.1.4.1.99999.1`);
  }
  const value = decodeBase64(ext.valueBase64);
  if (!value)
    throw new ValidationError(`${field}.valueBase64`, 'is not base64: send the extnValue DER, base64-encoded');
  try {
    readRoot(value);
  } catch (cause) {
    const reason = cause instanceof DerError ? cause.message : 'unreadable';
    throw new ValidationError(
      `${field}.valueBase64`,
      `is not one DER element (${reason}): send the extnValue contents`,
    );
  }
  return extension(ext.oid, ext.critical ?? false, value);
}

/** A subjectAltName extension on its own, e.g. for the extensionRequest of a CSR. */
export function subjectAltNameExtension(sans: SubjectAltNames): Uint8Array {
  return extension(OID.subjectAltName, false, sequence(...generalNames(sans)));
}

/** Every extension of the certificate, in a fixed order, extra extensions last. */
export function buildExtensions(
  spec: CertificateSpec,
  subjectKeyId: Uint8Array,
  authorityKeyId: Uint8Array,
  subjectIsEmpty: boolean,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (spec.basicConstraints) {
    out.push(
      extension(OID.basicConstraints, spec.basicConstraints.critical ?? true, basicConstraints(spec.basicConstraints)),
    );
  }
  if (spec.keyUsages?.length) out.push(extension(OID.keyUsage, true, keyUsage(spec.keyUsages)));
  if (spec.extendedKeyUsages?.length) {
    out.push(extension(OID.extKeyUsage, false, extendedKeyUsage(spec.extendedKeyUsages)));
  }
  out.push(extension(OID.subjectKeyIdentifier, false, octetString(subjectKeyId)));
  out.push(extension(OID.authorityKeyIdentifier, false, sequence(contextPrimitive(0, authorityKeyId))));
  if (hasSans(spec.sans)) {
    // RFC 5280 4.2.1.6: with an empty subject the SAN carries the identity and must be critical.
    out.push(extension(OID.subjectAltName, subjectIsEmpty, sequence(...generalNames(spec.sans!))));
  }
  const nc = spec.nameConstraints && nameConstraints(spec.nameConstraints);
  if (nc) out.push(extension(OID.nameConstraints, true, nc));
  if (spec.crlDistributionPoints?.length) {
    out.push(extension(OID.cRLDistributionPoints, false, crlDistributionPoints(spec.crlDistributionPoints)));
  }
  if (spec.ocspUrls?.length) out.push(extension(OID.authorityInfoAccess, false, authorityInfoAccess(spec.ocspUrls)));
  const seen = new Set<string>();
  for (const [i, ext] of (spec.extraExtensions ?? []).entries()) out.push(extraExtension(ext, i, seen));
  return out;
}
