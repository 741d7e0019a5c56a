// Reading OCSP requests (RFC 6960 4.1) from untrusted bytes, POSTed or in a GET path (appendix A.1). Every
// defect becomes an OcspMalformedError, which the responder answers with the protocol's malformedRequest status
// rather than a 500. The CertID bytes are kept so the response can echo them exactly as the client wrote them.
import { ValidationError } from '../errors.ts';
import { child, children, content, DerError, type DerNode, decodeOid, readRoot, toHex, whole } from './der.ts';

/** A request the responder must answer with malformedRequest. A ValidationError, so elsewhere it is a 400. */
export class OcspMalformedError extends ValidationError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ocspRequest', message, options);
  }
}

/** Hash algorithms a CertID may name, by OID. */
export const OCSP_HASH_OIDS = {
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;
export type OcspHashAlgorithm = keyof typeof OCSP_HASH_OIDS;
const HASH_BY_OID = new Map<string, string>(Object.entries(OCSP_HASH_OIDS).map(([name, oid]) => [oid, name]));

export interface OcspCertId {
  /** An OcspHashAlgorithm name, or the dotted OID of one Tarsier does not know (answer 'unknown' then). */
  hashAlgorithm: OcspHashAlgorithm | (string & {});
  issuerNameHash: Uint8Array;
  issuerKeyHash: Uint8Array;
  /** Hex of the serial's DER INTEGER contents, lower case: the form certificates are stored under. */
  serialHex: string;
  /** The CertID as received; a response echoes these bytes when present. */
  der?: Uint8Array;
}

export interface OcspRequest {
  requests: Array<OcspCertId & { issuerNameHash: Buffer; issuerKeyHash: Buffer; der: Uint8Array }>;
  /** The id-pkix-ocsp-nonce extension's value exactly as received, to be echoed verbatim. */
  nonce?: Uint8Array;
}

export const OID_OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';
/** RFC 8954: a nonce is 1 to 32 octets. */
const MAX_NONCE = 32;

function readCertId(der: Uint8Array, node: DerNode): OcspRequest['requests'][number] {
  const parts = children(der, node);
  const algorithm = child(parts, 0, 0x30, 'hashAlgorithm');
  const oid = decodeOid(content(der, child(children(der, algorithm), 0, 0x06, 'hashAlgorithm OID')));
  const nameHash = content(der, child(parts, 1, 0x04, 'issuerNameHash'));
  const keyHash = content(der, child(parts, 2, 0x04, 'issuerKeyHash'));
  const serial = content(der, child(parts, 3, 0x02, 'serialNumber'));
  if (parts.length !== 4 || serial.length === 0) throw new DerError('CertID has the wrong shape');
  return {
    hashAlgorithm: HASH_BY_OID.get(oid) ?? oid,
    issuerNameHash: Buffer.from(nameHash),
    issuerKeyHash: Buffer.from(keyHash),
    serialHex: toHex(serial),
    der: new Uint8Array(whole(der, node)),
  };
}

function readNonce(der: Uint8Array, wrapper: DerNode): Uint8Array | undefined {
  const list = child(children(der, wrapper), 0, 0x30, 'requestExtensions');
  let nonce: Uint8Array | undefined;
  for (const ext of children(der, list)) {
    const parts = children(der, ext);
    if (decodeOid(content(der, child(parts, 0, 0x06, 'extnID'))) !== OID_OCSP_NONCE) continue;
    if (nonce) throw new DerError('the nonce extension appears twice');
    const value = content(der, child(parts, parts.length - 1, 0x04, 'extnValue'));
    // RFC 6960 wraps the nonce in an OCTET STRING; some old clients sent the bare bytes.
    let octets = value;
    if (value[0] === 0x04) {
      try {
        octets = content(value, readRoot(value, 0x04));
      } catch {}
    }
    if (octets.length < 1 || octets.length > MAX_NONCE) {
      throw new DerError(`the nonce is ${octets.length} octets; RFC 8954 allows 1 to ${MAX_NONCE}`);
    }
    nonce = new Uint8Array(value);
  }
  return nonce;
}

/**
 * The CertIDs and nonce of a DER OCSPRequest. A signature on the request is not checked (Tarsier's responder
 * does not require signed requests). Throws OcspMalformedError for anything that is not a well-formed request.
 */
export function parseOcspRequest(der: Uint8Array): OcspRequest {
  try {
    const top = children(der, readRoot(der, 0x30));
    if (top.length > 2 || (top[1] && top[1].tag !== 0xa0)) throw new DerError('unexpected element after tbsRequest');
    const fields = children(der, child(top, 0, 0x30, 'tbsRequest'));
    let i = 0;
    if (fields[i]?.tag === 0xa0) {
      const version = content(der, child(children(der, fields[i]!), 0, 0x02, 'version'));
      if (version.length !== 1 || version[0] !== 0) throw new DerError('only version 1 requests exist');
      i++;
    }
    if (fields[i]?.tag === 0xa1) i++; // requestorName: informational only
    const list = child(fields, i++, 0x30, 'requestList');
    const nonce = fields[i]?.tag === 0xa2 ? readNonce(der, fields[i++]!) : undefined;
    if (i !== fields.length) throw new DerError('unexpected element in tbsRequest');
    const requests = children(der, list).map((request) => {
      const parts = children(der, request);
      if (parts.length > 2 || (parts[1] && parts[1].tag !== 0xa0)) throw new DerError('Request has the wrong shape');
      return readCertId(der, child(parts, 0, 0x30, 'reqCert'));
    });
    if (requests.length === 0) throw new DerError('the request list is empty');
    return nonce ? { requests, nonce } : { requests };
  } catch (cause) {
    if (cause instanceof OcspMalformedError) throw cause;
    const reason = cause instanceof DerError ? cause.message : 'unreadable';
    throw new OcspMalformedError(`is not a DER OCSP request (${reason})`, { cause });
  }
}

/**
 * The DER request from the last part of a GET URL (RFC 6960 A.1: the URL-encoded base64 of the DER). Tolerates
 * what clients and proxies do to it: %2F/%2B/%3D escapes, unescaped '/', '+' turned into a space, base64url
 * characters, missing padding. Throws OcspMalformedError when no base64 remains.
 */
export function decodeOcspGetPath(encoded: string): Uint8Array {
  let text: string;
  try {
    text = decodeURIComponent(encoded);
  } catch (cause) {
    throw new OcspMalformedError('the GET path has a broken %-escape', { cause });
  }
  text = text.replace(/^\/+/, '').replace(/ /g, '+').replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (text.length === 0 || text.length % 4 === 1 || !/^[A-Za-z0-9+/]+$/.test(text)) {
    throw new OcspMalformedError('the GET path is not the base64 of a DER OCSP request');
  }
  return new Uint8Array(Buffer.from(text, 'base64'));
}
