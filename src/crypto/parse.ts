// The one entry for certificates from outside (uploads, discovery, issuers' replies). OpenSSL (node's
// X509Certificate) decides whether the bytes are a certificate and supplies the key and signature checks; the DER
// reader supplies the byte-exact names and the extensions. Every failure becomes a ValidationError that says what
// was wrong and what to send instead.
import { createHash, X509Certificate } from 'node:crypto';
import { ContentInfo, SignedData } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { ValidationError } from '../errors.ts';
import { child, children, content, DerError, decodeOid, decodeTime, readNode, readRoot, toHex, whole } from './der.ts';
import { readExtensions } from './extension-reader.ts';
import { keyTypeOf } from './keys.ts';
import { decodeName } from './names.ts';
import { decodeBase64, isPem, pemBlocks, toPem } from './pem.ts';
import type { ParsedCertificate } from './types.ts';

const SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
};

export function signatureAlgorithmName(oid: string): string {
  return SIGNATURE_ALGORITHMS[oid] ?? oid;
}

const reasonOf = (cause: unknown): string =>
  cause instanceof DerError
    ? cause.message
    : cause instanceof Error
      ? cause.message.replace(/^error:[^:]*:[^:]*::?/, '')
      : 'unreadable';

/** The fields node's X509Certificate does not give byte-exact: names, times, algorithm, extensions. */
function readTbs(der: Uint8Array) {
  const certificate = children(der, readRoot(der, 0x30));
  const tbs = child(certificate, 0, 0x30, 'tbsCertificate');
  const algorithm = children(der, child(certificate, 1, 0x30, 'signatureAlgorithm'))[0];
  const fields = children(der, tbs);
  const at = fields[0]?.tag === 0xa0 ? 1 : 0;
  const validity = children(der, child(fields, at + 3, 0x30, 'validity'));
  const extensionsWrapper = fields.find((f) => f.tag === 0xa3);
  return {
    serial: child(fields, at, 0x02, 'serialNumber'),
    issuer: whole(der, child(fields, at + 2, 0x30, 'issuer')),
    subject: whole(der, child(fields, at + 4, 0x30, 'subject')),
    notBefore: decodeTime(der, validity[0]!),
    notAfter: decodeTime(der, validity[1]!),
    algorithm: algorithm ? decodeOid(content(der, algorithm)) : 'unknown',
    extensions: extensionsWrapper ? children(der, extensionsWrapper)[0] : undefined,
  };
}

/**
 * One DER certificate, every ParsedCertificate field filled. Throws ValidationError(field) when the bytes are not
 * a certificate. Example: parseCertificate(der, 'certificate').subjectDn === 'CN=example.com, O=Acme'.
 */
export function parseCertificate(der: Uint8Array, field: string): ParsedCertificate {
  let x509: X509Certificate;
  let tbs: ReturnType<typeof readTbs>;
  let read: ReturnType<typeof readExtensions>;
  let subject: ReturnType<typeof decodeName>;
  let issuerDn: string;
  try {
    tbs = readTbs(der); // first: its reasons are clearer than OpenSSL's for truncated or foreign bytes
    x509 = new X509Certificate(der);
    read = readExtensions(der, tbs.extensions);
    subject = decodeName(tbs.subject);
    issuerDn = decodeName(tbs.issuer).dn;
  } catch (cause) {
    throw new ValidationError(
      field,
      `is not a DER X.509 certificate (${reasonOf(cause)}): send the PEM or DER certificate`,
      {
        cause,
      },
    );
  }
  const publicKey = x509.publicKey;
  const bytes = new Uint8Array(der);
  const { extensions, sans, isCa, pathLength, keyUsages, extendedKeyUsages } = read;
  return {
    der: bytes,
    pem: toPem(bytes, 'CERTIFICATE'),
    serial: toHex(content(der, tbs.serial)),
    fingerprintSha256: createHash('sha256').update(der).digest('hex'),
    fingerprintSha1: createHash('sha1').update(der).digest('hex'),
    subject: subject.fields,
    subjectDn: subject.dn,
    issuerDn,
    commonName: subject.fields.commonName,
    sans,
    notBefore: tbs.notBefore,
    notAfter: tbs.notAfter,
    keyType: keyTypeOf(publicKey),
    publicKey,
    signatureAlgorithm: signatureAlgorithmName(tbs.algorithm),
    isCa,
    pathLength,
    selfSigned: Buffer.from(tbs.issuer).equals(tbs.subject) && verifiesWith(x509),
    keyUsages,
    extendedKeyUsages,
    subjectKeyIdentifier: read.subjectKeyIdentifier,
    authorityKeyIdentifier: read.authorityKeyIdentifier,
    extensions,
  };
}

function verifiesWith(x509: X509Certificate): boolean {
  try {
    return x509.verify(x509.publicKey);
  } catch {
    return false;
  }
}

const SIGNED_DATA = '1.2.840.113549.1.7.2';

/** Certificates of a PKCS#7 / CMS SignedData (certs-only bundles such as `openssl crl2pkcs7 -nocrl` writes). */
function pkcs7Certificates(der: Uint8Array): Uint8Array[] {
  try {
    const info = children(der, readRoot(der, 0x30));
    const type = child(info, 0, 0x06, 'contentType');
    if (decodeOid(content(der, type)) !== SIGNED_DATA) throw new DerError('the PKCS#7 content is not SignedData');
    const signedData = child(children(der, child(info, 1, 0xa0, 'content')), 0, 0x30, 'SignedData');
    const certificates = children(der, signedData).find((n) => n.tag === 0xa0);
    return certificates ? children(der, certificates).map((n) => whole(der, n)) : [];
  } catch (cause) {
    if (!(cause instanceof DerError && cause.message.startsWith('indefinite length'))) throw cause;
    // BER (indefinite lengths, as some Windows tools write): fall back to the schema library.
    const contentInfo = AsnConvert.parse(der, ContentInfo);
    const signedData = AsnConvert.parse(contentInfo.content, SignedData);
    return (signedData.certificates ?? []).flatMap((c) =>
      c.certificate ? [new Uint8Array(AsnConvert.serialize(c.certificate))] : [],
    );
  }
}

/** A DER blob is a PKCS#7 ContentInfo when its outer SEQUENCE starts with an OBJECT IDENTIFIER. */
function looksLikePkcs7(der: Uint8Array): boolean {
  try {
    const outer = readNode(der, 0);
    return outer.tag === 0x30 && readNode(der, outer.contentStart, outer.end).tag === 0x06;
  } catch {
    return false;
  }
}

function derCertificates(der: Uint8Array): Uint8Array[] {
  return looksLikePkcs7(der) ? pkcs7Certificates(der) : [der];
}

const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
const PKCS7_LABELS = new Set(['PKCS7', 'CMS', 'PKCS #7 SIGNED DATA']);

function pemCertificates(text: string, field: string): Uint8Array[] {
  const blocks = pemBlocks(text, field);
  const out: Uint8Array[] = [];
  for (const block of blocks) {
    if (CERTIFICATE_LABELS.has(block.label)) {
      // A TRUSTED CERTIFICATE carries OpenSSL trust settings after the certificate: keep the certificate only.
      out.push(whole(block.der, readNode(block.der, 0)));
    } else if (PKCS7_LABELS.has(block.label)) {
      out.push(...pkcs7Certificates(block.der));
    }
  }
  if (out.length === 0) {
    const found = blocks.map((b) => b.label).join(', ');
    throw new DerError(found ? `it holds ${found} but no CERTIFICATE or PKCS7 block` : 'no complete PEM block');
  }
  return out;
}

/**
 * Every certificate in `input`: PEM (one or many CERTIFICATE blocks, or a PKCS7 block), base64 or binary DER
 * (a certificate or a certs-only PKCS#7). Order is kept; see orderChain. Throws ValidationError(field).
 */
export function parseCertificates(input: string | Uint8Array, field: string): ParsedCertificate[] {
  let ders: Uint8Array[];
  let isSingleDer = false;
  try {
    if (isPem(input)) {
      ders = pemCertificates(typeof input === 'string' ? input : Buffer.from(input).toString('latin1'), field);
    } else {
      if (input.length === 0 || (typeof input === 'string' && input.trim() === '')) throw new DerError('it is empty');
      const der = typeof input === 'string' ? decodeBase64(input) : input;
      if (!der || der.length === 0)
        throw new DerError(typeof input === 'string' ? 'the text is neither PEM nor base64' : 'it is empty');
      ders = derCertificates(der);
      isSingleDer = ders[0] === der;
    }
    if (ders.length === 0) throw new DerError('the PKCS#7 bundle holds no certificates');
  } catch (cause) {
    if (cause instanceof ValidationError) throw cause;
    throw new ValidationError(field, `is not a PEM or DER certificate or PKCS#7 bundle: ${reasonOf(cause)}`, { cause });
  }
  if (isSingleDer && ders[0]) {
    try {
      return [parseCertificate(ders[0], field)];
    } catch (cause) {
      const reason = (cause as Error).message.replace(/^.*?is not a DER X\.509 certificate \((.*)\):.*$/, '$1');
      throw new ValidationError(field, `is not a PEM or DER certificate or PKCS#7 bundle: ${reason}`, { cause });
    }
  }
  return ders.map((der, i) => parseCertificate(der, ders.length > 1 ? `${field}[${i}]` : field));
}

function issues(parent: ParsedCertificate, child: ParsedCertificate): boolean {
  if (parent === child || parent.subjectDn !== child.issuerDn) return false;
  const { authorityKeyIdentifier: aki } = child;
  return !aki || !parent.subjectKeyIdentifier || aki === parent.subjectKeyIdentifier;
}

/**
 * Leaf first, then each issuer in turn (matched by DN and, where both are present, AKI/SKI). Duplicates are
 * dropped; certificates that are not part of the leaf's chain follow in their original order.
 */
export function orderChain(certs: ParsedCertificate[]): ParsedCertificate[] {
  const unique = certs.filter((c, i) => certs.findIndex((d) => d.fingerprintSha256 === c.fingerprintSha256) === i);
  const walk = (leaf: ParsedCertificate): ParsedCertificate[] => {
    const chain = [leaf];
    for (let current = leaf; ; ) {
      const next = unique.find((p) => issues(p, current) && !chain.includes(p));
      if (!next) return chain;
      chain.push(next);
      current = next;
    }
  };
  // The leaf is a certificate that issued none of the others; of several, the one with the longest chain.
  const isIssuer = new Set(unique.flatMap((c) => unique.filter((p) => issues(p, c))));
  let best: ParsedCertificate[] = [];
  for (const candidate of unique.filter((c) => !isIssuer.has(c))) {
    const chain = walk(candidate);
    if (chain.length > best.length) best = chain;
  }
  if (best.length === 0 && unique[0]) best = walk(unique[0]);
  return [...best, ...unique.filter((c) => !best.includes(c))];
}
