// OCSP responses (RFC 6960): BasicOCSPResponse signed by the authority itself or by a delegated OCSP signing
// certificate, plus the bare error responses. The responder answers many requests a second, so what the
// responder certificate contributes (responder ID, key hashes) is read once and cached, never per response.
// Measured here (2 cores, Node 20, ec-p256 signer, one core; an openssl request with one CertID and a nonce,
// parsed, answered and signed): ≈24,000 responses/s signed by the authority, ≈22,000/s by a delegated signer
// whose certificate is included (crypto.sign alone ≈52,000/s, shared NOTES).
import { createHash, type KeyObject, sign } from 'node:crypto';
import { ValidationError } from '../errors.ts';
import { signatureAlgorithmFor } from './certificate-builder.ts';
import { type RevocationReason, reasonCode } from './crl.ts';
import { checkSignerKey, type IssuerCertificate, readIssuerCertificate } from './crl-issuer.ts';
import { generalizedTime, serialContentHex } from './crl-writer.ts';
import { bitString, contextConstructed, EMPTY, NULL, objectIdentifier, octetString, sequence, tlv } from './der.ts';
import { OCSP_HASH_OIDS, type OcspCertId, type OcspHashAlgorithm, OID_OCSP_NONCE } from './ocsp-request.ts';
import type { ExtraExtension, SignatureHash } from './types.ts';

export {
  decodeOcspGetPath,
  OCSP_HASH_OIDS,
  type OcspCertId,
  type OcspHashAlgorithm,
  OcspMalformedError,
  type OcspRequest,
  parseOcspRequest,
} from './ocsp-request.ts';

/**
 * id-pkix-ocsp-nocheck (RFC 6960 4.2.2.2.1) for a delegated OCSP signing certificate, as an extraExtensions
 * entry for buildCertificate: clients then do not ask for the signer's own revocation status.
 */
export const OCSP_NOCHECK_EXTENSION: ExtraExtension = { oid: '1.3.6.1.5.5.7.48.1.5', valueBase64: 'BQA=' };

export type OcspCertStatus = 'good' | 'unknown' | { revokedAt: Date; reason?: RevocationReason };

export interface OcspSingleResponse {
  /** As parsed from the request: its bytes are echoed when `der` is present. */
  certId: OcspCertId;
  status: OcspCertStatus;
  thisUpdate: Date;
  nextUpdate?: Date;
}

export interface OcspResponseOptions {
  status?: 'successful';
  /** The signer: the authority itself, or a delegated certificate with the ocspSigning EKU that it issued. */
  responderCertificateDer: Uint8Array;
  signerKey: KeyObject;
  /** Sent in the response's certs field; a delegated responder certificate must be among them. */
  includeCertificates?: Uint8Array[];
  producedAt: Date;
  responses: OcspSingleResponse[];
  /** The request's nonce extension value (OcspRequest.nonce), echoed verbatim. */
  nonce?: Uint8Array;
  /** byKey (default): SHA-1 of the responder's public key; byName: its subject Name. */
  responderId?: 'byKey' | 'byName';
  signatureHash?: SignatureHash;
}

const OID_BASIC_RESPONSE = '1.3.6.1.5.5.7.48.1.1';
const RESPONSE_STATUS = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
} as const;
export type OcspErrorStatus = Exclude<keyof typeof RESPONSE_STATUS, 'successful'>;

const enumerated = (value: number): Uint8Array => Uint8Array.of(0x0a, 0x01, value);
const GOOD = Uint8Array.of(0x80, 0x00); // [0] IMPLICIT NULL
const UNKNOWN = Uint8Array.of(0x82, 0x00); // [2] IMPLICIT UnknownInfo (NULL)

/** An OCSPResponse carrying only an error status (RFC 6960 4.2.1), e.g. malformedRequest for unreadable input. */
export function buildOcspError(status: OcspErrorStatus): Uint8Array {
  const code = Object.hasOwn(RESPONSE_STATUS, status) ? RESPONSE_STATUS[status] : 0;
  if (code === 0) throw new ValidationError('status', `'${status}' is not an OCSP error status`);
  return sequence(enumerated(code));
}

/** Hashes of the issuer's subject Name and public key bits, as CertIDs carry them (cached per certificate). */
export function issuerHashes(
  issuerCertificateDer: Uint8Array,
  algorithm: OcspHashAlgorithm,
): { nameHash: Buffer; keyHash: Buffer } {
  if (!Object.hasOwn(OCSP_HASH_OIDS, algorithm)) {
    throw new ValidationError('algorithm', `'${algorithm}' is not one of ${Object.keys(OCSP_HASH_OIDS).join(', ')}`);
  }
  const info = readIssuerCertificate(issuerCertificateDer, 'issuerCertificateDer');
  const key = `hashes:${algorithm}`;
  let hashes = info.memo.get(key) as { nameHash: Buffer; keyHash: Buffer } | undefined;
  if (!hashes) {
    hashes = {
      nameHash: createHash(algorithm).update(info.subject).digest(),
      keyHash: createHash(algorithm).update(info.publicKeyBits).digest(),
    };
    info.memo.set(key, hashes);
  }
  return hashes;
}

/** True when the CertID names this issuer (false for a hash algorithm Tarsier does not know). */
export function certIdMatchesIssuer(certId: OcspCertId, issuerCertificateDer: Uint8Array): boolean {
  if (!Object.hasOwn(OCSP_HASH_OIDS, certId.hashAlgorithm)) return false;
  const { nameHash, keyHash } = issuerHashes(issuerCertificateDer, certId.hashAlgorithm as OcspHashAlgorithm);
  return nameHash.equals(certId.issuerNameHash) && keyHash.equals(certId.issuerKeyHash);
}

function encodeCertId(certId: OcspCertId, field: string): Uint8Array {
  if (certId.der) return certId.der;
  const oid = (OCSP_HASH_OIDS as Record<string, string>)[certId.hashAlgorithm] ?? certId.hashAlgorithm;
  return sequence(
    sequence(objectIdentifier(oid), NULL),
    octetString(certId.issuerNameHash),
    octetString(certId.issuerKeyHash),
    tlv(0x02, Buffer.from(serialContentHex(certId.serialHex, `${field}.serialHex`), 'hex')),
  );
}

function encodeStatus(status: OcspCertStatus, field: string): Uint8Array {
  if (status === 'good') return GOOD;
  if (status === 'unknown') return UNKNOWN;
  if (typeof status !== 'object' || status === null) {
    throw new ValidationError(field, "must be 'good', 'unknown' or { revokedAt, reason? }");
  }
  // RevokedInfo ::= SEQUENCE { revocationTime, revocationReason [0] EXPLICIT CRLReason OPTIONAL }; like the CRL,
  // 'unspecified' is left out.
  const code = status.reason === undefined ? 0 : reasonCode(status.reason, `${field}.reason`);
  return contextConstructed(
    1,
    generalizedTime(status.revokedAt, `${field}.revokedAt`),
    code === 0 ? EMPTY : contextConstructed(0, enumerated(code)),
  );
}

function singleResponse(r: OcspSingleResponse, i: number): Uint8Array {
  const field = `responses[${i}]`;
  if (r.nextUpdate && !(r.nextUpdate.getTime() >= r.thisUpdate.getTime())) {
    throw new ValidationError(`${field}.nextUpdate`, 'must not be earlier than thisUpdate');
  }
  return sequence(
    encodeCertId(r.certId, `${field}.certId`),
    encodeStatus(r.status, `${field}.status`),
    generalizedTime(r.thisUpdate, `${field}.thisUpdate`),
    r.nextUpdate ? contextConstructed(0, generalizedTime(r.nextUpdate, `${field}.nextUpdate`)) : EMPTY,
  );
}

/** ResponderID, cached on the certificate: byName [1] EXPLICIT Name, byKey [2] EXPLICIT OCTET STRING. */
function responderIdOf(info: IssuerCertificate, kind: 'byKey' | 'byName'): Uint8Array {
  const key = `responderId:${kind}`;
  let id = info.memo.get(key) as Uint8Array | undefined;
  if (!id) {
    id = kind === 'byName' ? contextConstructed(1, info.subject) : contextConstructed(2, octetString(info.keySha1));
    info.memo.set(key, id);
  }
  return id;
}

function certsField(certs: Uint8Array[] | undefined): Uint8Array {
  return certs?.length ? contextConstructed(0, sequence(...certs)) : EMPTY;
}

/**
 * A successful OCSPResponse with a BasicOCSPResponse answering `responses`, signed by `signerKey`, which must
 * belong to the responder certificate. Throws ValidationError naming the field for a bad date, reason or key.
 * Example: buildOcspResponse({ responderCertificateDer: ca.der, signerKey, producedAt: now,
 *   responses: [{ certId: request.requests[0], status: 'good', thisUpdate: now }], nonce: request.nonce }).
 */
export function buildOcspResponse(opts: OcspResponseOptions): Uint8Array {
  if (opts.status !== undefined && opts.status !== 'successful') {
    throw new ValidationError('status', "must be 'successful': use buildOcspError for the other statuses");
  }
  if (!opts.responses?.length) throw new ValidationError('responses', 'must answer at least one CertID');
  const info = readIssuerCertificate(opts.responderCertificateDer, 'responderCertificateDer');
  checkSignerKey(info, opts.signerKey, 'signerKey');
  const algorithm = signatureAlgorithmFor(opts.signerKey, opts.signatureHash);
  const extensions = opts.nonce
    ? contextConstructed(1, sequence(sequence(objectIdentifier(OID_OCSP_NONCE), octetString(opts.nonce))))
    : EMPTY;
  const tbs = sequence(
    responderIdOf(info, opts.responderId ?? 'byKey'),
    generalizedTime(opts.producedAt, 'producedAt'),
    sequence(...opts.responses.map(singleResponse)),
    extensions,
  );
  const signature = sign(algorithm.digest, tbs, opts.signerKey);
  const basic = sequence(
    tbs,
    algorithm.algorithmIdentifier,
    bitString(signature),
    certsField(opts.includeCertificates),
  );
  return sequence(
    enumerated(RESPONSE_STATUS.successful),
    contextConstructed(0, sequence(objectIdentifier(OID_BASIC_RESPONSE), octetString(basic))),
  );
}
