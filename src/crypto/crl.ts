// Certificate revocation lists (RFC 5280 section 5): v2 CRLs with CRL number, authority key identifier, reason
// codes, delta CRLs and issuing distribution points for partitioned CRLs. A busy authority revokes hundreds of
// thousands of certificates and @peculiar/x509 slows down faster than linearly (30k entries ≈21 s, shared NOTES),
// so entries are streamed once into one preallocated buffer and the headers written in front of them last.
// Measured here (2 cores, Node 20, ec-p256 signer, 16-byte serials, 3 in 4 entries with a reason, one core):
//   100,000 entries ≈70 ms (≈110 ms cold), 4.6 MB;  1,000,000 entries ≈1.0 s (≈1.25 s cold), 45.5 MB.
// openssl 3.0 reads and verifies the 1,000,000-entry CRL in ≈1.5 s (`openssl crl -verify`, 430 MB).
import { createHash, type KeyObject, sign } from 'node:crypto';
import { ValidationError } from '../errors.ts';
import { signatureAlgorithmFor } from './certificate-builder.ts';
import { checkSignerKey, readIssuerCertificate } from './crl-issuer.ts';
import {
  bigintContentHex,
  GrowableBuffer,
  serialContentHex,
  writeHeaderBefore,
  writeX509Time,
  x509TimeSize,
} from './crl-writer.ts';
import {
  bitString,
  concat,
  contextConstructed,
  contextPrimitive,
  EMPTY,
  objectIdentifier,
  octetString,
  sequence,
  TRUE,
  time,
  tlv,
} from './der.ts';
import { REVOCATION_REASONS, type RevocationReason, type SignatureHash } from './types.ts';

export { REVOCATION_REASONS, type RevocationReason };

/** removeFromCRL (8) only appears in delta CRLs: a certificate on hold that was released. */
export type CrlEntryReason = RevocationReason | 'removeFromCRL';

/** CRLReason ENUMERATED values; 7 is unused. */
export const REASON_CODES: Readonly<Record<CrlEntryReason, number>> = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
};

export function reasonCode(reason: string, field: string): number {
  const code = (REASON_CODES as Record<string, number>)[reason];
  if (code === undefined) {
    throw new ValidationError(field, `'${reason}' is not one of ${Object.keys(REASON_CODES).join(', ')}`);
  }
  return code;
}

export interface CrlEntry {
  /** Hex of the serial (as stored: DER INTEGER contents; leading zeros and upper case are accepted too). */
  serialHex: string;
  revokedAt: Date;
  /** Omitted from the entry when absent or 'unspecified', as RFC 5280 5.3.1 recommends. */
  reason?: CrlEntryReason;
}

export interface CrlOptions {
  /** The authority's certificate: the CRL's issuer Name is copied from its subject, the AKI from its SKI. */
  issuerCertificateDer: Uint8Array;
  signerKey: KeyObject;
  thisUpdate: Date;
  nextUpdate: Date;
  crlNumber: bigint;
  /** Consumed once, so a generator streaming rows from the database is fine. */
  entries: Iterable<CrlEntry>;
  /** Makes this a delta CRL against the full CRL with this number (critical deltaCRLIndicator). */
  deltaBaseCrlNumber?: bigint;
  /** A critical issuingDistributionPoint naming this CRL's URL: each shard of a partitioned CRL has its own. */
  issuingDistributionPoint?: { uri: string; onlyContainsUserCerts?: boolean };
  /** Where the delta CRLs for this full CRL are published (freshestCRL, RFC 5280 5.2.6). */
  freshestCrlUris?: string[];
  signatureHash?: SignatureHash;
}

const OID = {
  authorityKeyIdentifier: '2.5.29.35',
  cRLNumber: '2.5.29.20',
  deltaCRLIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  freshestCRL: '2.5.29.46',
  cRLReason: '2.5.29.21',
} as const;

const VERSION_2 = Uint8Array.of(0x02, 0x01, 0x01);

const extension = (oid: string, critical: boolean, value: Uint8Array): Uint8Array =>
  sequence(objectIdentifier(oid), critical ? TRUE : EMPTY, octetString(value));

const integerFromHex = (hex: string): Uint8Array => tlv(0x02, Buffer.from(hex, 'hex'));

/** crlEntryExtensions holding only a reasonCode, per code (index = CRLReason value). */
const REASON_EXTENSIONS: Uint8Array[] = Array.from({ length: 11 }, (_, code) =>
  sequence(extension(OID.cRLReason, false, Uint8Array.of(0x0a, 0x01, code))),
);

function uri(value: string, field: string): Uint8Array {
  if (!/^[\x21-\x7e]+$/.test(value)) throw new ValidationError(field, `'${value}' must be ASCII without spaces`);
  return contextPrimitive(6, Buffer.from(value, 'latin1')); // GeneralName uniformResourceIdentifier [6]
}

function crlExtensions(opts: CrlOptions, keyId: Uint8Array): Uint8Array {
  const list = [
    extension(OID.authorityKeyIdentifier, false, sequence(contextPrimitive(0, keyId))),
    extension(OID.cRLNumber, false, integerFromHex(bigintContentHex(opts.crlNumber, 'crlNumber'))),
  ];
  if (opts.deltaBaseCrlNumber !== undefined) {
    const base = bigintContentHex(opts.deltaBaseCrlNumber, 'deltaBaseCrlNumber');
    if (opts.deltaBaseCrlNumber >= opts.crlNumber) {
      throw new ValidationError('deltaBaseCrlNumber', 'must be lower than crlNumber: a delta follows its base');
    }
    list.push(extension(OID.deltaCRLIndicator, true, integerFromHex(base)));
  }
  const idp = opts.issuingDistributionPoint;
  if (idp) {
    // distributionPoint [0] { fullName [0] GeneralNames }, onlyContainsUserCerts [1] IMPLICIT BOOLEAN
    const name = contextConstructed(0, contextConstructed(0, uri(idp.uri, 'issuingDistributionPoint.uri')));
    const userOnly = idp.onlyContainsUserCerts ? contextPrimitive(1, Uint8Array.of(0xff)) : EMPTY;
    list.push(extension(OID.issuingDistributionPoint, true, sequence(name, userOnly)));
  }
  if (opts.freshestCrlUris?.length) {
    if (opts.deltaBaseCrlNumber !== undefined) {
      throw new ValidationError('freshestCrlUris', 'belongs in a full CRL, not in a delta CRL (RFC 5280 5.2.6)');
    }
    const names = opts.freshestCrlUris.map((v, i) => uri(v, `freshestCrlUris[${i}]`));
    list.push(
      extension(OID.freshestCRL, false, sequence(sequence(contextConstructed(0, contextConstructed(0, ...names))))),
    );
  }
  return contextConstructed(0, sequence(...list));
}

function checkTimes(opts: CrlOptions): void {
  if (!(opts.thisUpdate instanceof Date) || Number.isNaN(opts.thisUpdate.getTime())) {
    throw new ValidationError('thisUpdate', 'must be a date');
  }
  if (!(opts.nextUpdate instanceof Date) || !(opts.nextUpdate.getTime() > opts.thisUpdate.getTime())) {
    throw new ValidationError('nextUpdate', 'must be a date later than thisUpdate');
  }
}

// Largest entry: SEQUENCE header 2 + INTEGER 2+33 + GeneralizedTime 17 + reason 14 = 68 (< 128: a 2-byte header).
const MAX_ENTRY = 68;
const TYPICAL_ENTRY = 50;

/** Writes every entry from `at` on; returns how many there were. */
function writeEntries(out: GrowableBuffer, entries: Iterable<CrlEntry>, isDelta: boolean): number {
  let index = 0;
  for (const entry of entries) {
    const field = `entries[${index}]`;
    const hex = serialContentHex(entry.serialHex, `${field}.serialHex`);
    const serialLength = hex.length / 2;
    const reason = entry.reason === undefined ? 0 : reasonCode(entry.reason, `${field}.reason`);
    if (reason === REASON_CODES.removeFromCRL && !isDelta) {
      throw new ValidationError(`${field}.reason`, 'removeFromCRL is only allowed in a delta CRL (RFC 5280 5.3.1)');
    }
    const extensions = reason === 0 ? undefined : REASON_EXTENSIONS[reason]!;
    const length = 2 + serialLength + x509TimeSize(entry.revokedAt) + (extensions ? extensions.length : 0);
    out.ensure(MAX_ENTRY);
    const buf = out.buf;
    let p = out.at;
    buf[p++] = 0x30;
    buf[p++] = length;
    buf[p++] = 0x02;
    buf[p++] = serialLength;
    p += buf.write(hex, p, 'hex');
    p = writeX509Time(buf, p, entry.revokedAt, `${field}.revokedAt`);
    if (extensions) {
      buf.set(extensions, p);
      p += extensions.length;
    }
    out.at = p;
    index++;
  }
  return index;
}

/**
 * A signed DER CertificateList (v2) of `entries`, issued by the authority whose certificate and key are given.
 * Throws ValidationError naming the field for a bad serial, reason, date, CRL number, or a key that does not
 * belong to the certificate. Example: buildCrl({ issuerCertificateDer, signerKey, thisUpdate, nextUpdate,
 * crlNumber: 42n, entries: [{ serialHex: '1f…', revokedAt, reason: 'keyCompromise' }] }).
 */
export function buildCrl(opts: CrlOptions): Uint8Array {
  const issuer = readIssuerCertificate(opts.issuerCertificateDer, 'issuerCertificateDer');
  checkSignerKey(issuer, opts.signerKey, 'signerKey');
  checkTimes(opts);
  const algorithm = signatureAlgorithmFor(opts.signerKey, opts.signatureHash);
  const extensions = crlExtensions(opts, issuer.keyId);
  const prefix = concat([
    VERSION_2,
    algorithm.algorithmIdentifier,
    issuer.subject,
    time(opts.thisUpdate),
    time(opts.nextUpdate),
  ]);

  // Room in front of the entries for: CertificateList header, TBS header, the fixed fields, the entries' header.
  const reserve = 6 + 6 + prefix.length + 6;
  const count = Array.isArray(opts.entries) ? opts.entries.length : 20_000;
  const out = new GrowableBuffer(reserve + count * TYPICAL_ENTRY + extensions.length + 1024, reserve);
  const entriesStart = out.at;
  const written = writeEntries(out, opts.entries, opts.deltaBaseCrlNumber !== undefined);
  const entriesLength = out.at - entriesStart;
  out.append(extensions);
  const tbsEnd = out.at;

  // RFC 5280 5.1.2.6: with no revoked certificates the list is absent, not empty.
  let at = written > 0 ? writeHeaderBefore(out.buf, entriesStart, 0x30, entriesLength) : entriesStart;
  out.buf.set(prefix, at - prefix.length);
  at -= prefix.length;
  const tbsStart = writeHeaderBefore(out.buf, at, 0x30, tbsEnd - at);

  const signature = sign(algorithm.digest, out.buf.subarray(tbsStart, tbsEnd), opts.signerKey);
  out.append(algorithm.algorithmIdentifier);
  out.append(bitString(signature));
  return out.result(writeHeaderBefore(out.buf, tbsStart, 0x30, out.at - tbsStart));
}

/**
 * The shard (0 … shards-1) a serial's revocation is listed in, for partitioned CRLs: the first four bytes of
 * SHA-256 over the serial's INTEGER contents, modulo `shards`. Stable across hex spellings of the serial, so the
 * CRL distribution point written at issuance and the shard the CRL job puts the entry in always agree.
 */
export function crlShardOf(serialHex: string, shards: number): number {
  if (!Number.isSafeInteger(shards) || shards < 1 || shards > 65_536) {
    throw new ValidationError('shards', 'must be a whole number from 1 to 65536');
  }
  const bytes = Buffer.from(serialContentHex(serialHex, 'serialHex'), 'hex');
  return createHash('sha256').update(bytes).digest().readUInt32BE(0) % shards;
}
