// The client side of OCSP (RFC 6960), for checking certificates other CAs issued: builds a request for one
// certificate and reads the answer, accepting it only when it is signed by the issuer or by a responder the
// issuer certified for OCSP signing. Every defect in the answer becomes a ValidationError (untrusted bytes).
import { verify, X509Certificate } from 'node:crypto';
import { ValidationError } from '../errors.ts';
import { REASON_CODES, REVOCATION_REASONS, type RevocationReason } from './crl.ts';
import {
  child,
  children,
  content,
  contextConstructed,
  type DerNode,
  decodeOid,
  decodeTime,
  NULL,
  objectIdentifier,
  octetString,
  readRoot,
  sequence,
  tlv,
  whole,
} from './der.ts';
import { issuerHashes } from './ocsp.ts';
import { OID_OCSP_NONCE } from './ocsp-request.ts';

const SHA1 = '1.3.14.3.2.26';
const BASIC = '1.3.6.1.5.5.7.48.1.1';
const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
/** Signature algorithms by OID → the hash node's verify() takes (null: the key decides, as for Ed25519). */
const SIGNATURE_HASH: Record<string, string | null> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null,
};

export type OcspAnswer =
  | { status: 'good' }
  | { status: 'unknown' }
  | { status: 'revoked'; revokedAt: Date; reason: RevocationReason };

/** The DER of a one-certificate OCSP request (SHA-1 CertID, as every responder accepts). */
export function buildOcspRequest(leaf: X509Certificate, issuer: X509Certificate): Uint8Array {
  return encodeOcspRequest(issuerHashes(issuer.raw, 'sha1'), leaf.serialNumber);
}

/**
 * The DER of an OCSP request for one serial (hex) under SHA-1 issuer hashes, optionally with a nonce extension.
 * The nonce sits last, so its bytes are the request's final ones (the benchmark's load client rewrites them).
 */
export function encodeOcspRequest(
  hashes: { nameHash: Uint8Array; keyHash: Uint8Array },
  serialHex: string,
  nonce?: Uint8Array,
): Uint8Array {
  const serial = Buffer.from(serialHex.length % 2 ? `0${serialHex}` : serialHex, 'hex');
  // A serial with its top bit set needs a leading zero byte to stay a positive INTEGER.
  const positive = serial[0]! & 0x80 ? Buffer.concat([Buffer.of(0), serial]) : serial;
  const certId = sequence(
    sequence(objectIdentifier(SHA1), NULL),
    octetString(hashes.nameHash),
    octetString(hashes.keyHash),
    tlv(0x02, positive),
  );
  const requestList = sequence(sequence(certId));
  if (!nonce) return sequence(sequence(requestList));
  const extensions = contextConstructed(
    2,
    sequence(sequence(objectIdentifier(OID_OCSP_NONCE), octetString(octetString(nonce)))),
  );
  return sequence(sequence(requestList, extensions));
}

const bareHex = (hex: string) => hex.toLowerCase().replace(/^0+/, '');
const fail = (message: string) => new ValidationError('ocspResponse', message);

function signedBy(tbs: Uint8Array, algorithm: string, signature: Uint8Array, cert: X509Certificate): boolean {
  const hash = SIGNATURE_HASH[algorithm];
  if (hash === undefined) throw fail(`signature algorithm ${algorithm} is not supported`);
  return verify(hash, tbs, cert.publicKey, signature);
}

/** The certificate that signed the answer: the issuer itself, or a delegated responder it certified. */
function checkSigner(buf: Uint8Array, basic: DerNode[], issuer: X509Certificate): void {
  const tbs = whole(buf, basic[0]!);
  const algorithm = decodeOid(content(buf, children(buf, basic[1]!)[0]!));
  const signature = content(buf, basic[2]!).subarray(1);
  if (signedBy(tbs, algorithm, signature, issuer)) return;
  const certs = basic[3] ? children(buf, children(buf, basic[3])[0]!) : [];
  for (const node of certs) {
    const responder = new X509Certificate(whole(buf, node));
    const delegated = responder.verify(issuer.publicKey) && (responder.keyUsage ?? []).includes(OCSP_SIGNING);
    if (delegated && signedBy(tbs, algorithm, signature, responder)) return;
  }
  throw fail("the answer is not signed by the certificate's issuer or a responder it authorised");
}

/** Reads an OCSP response about `leaf` and checks its signature. Throws ValidationError for anything wrong. */
export function readOcspResponse(der: Uint8Array, leaf: X509Certificate, issuer: X509Certificate): OcspAnswer {
  try {
    const buf = der;
    const top = children(buf, readRoot(buf, 0x30));
    const status = content(buf, child(top, 0, 0x0a, 'responseStatus'))[0];
    if (status !== 0) throw fail(`the responder answered with error status ${status}`);
    const bytes = children(buf, children(buf, child(top, 1, 0xa0, 'responseBytes'))[0]!);
    if (decodeOid(content(buf, bytes[0]!)) !== BASIC) throw fail('not a basic OCSP response');
    const inner = content(buf, bytes[1]!);
    const basic = children(inner, readRoot(inner, 0x30));
    checkSigner(inner, basic, issuer);
    const data = children(inner, basic[0]!);
    const responses = data.find((n, i) => n.tag === 0x30 && i > 0 && data[i - 1]!.tag === 0x18);
    if (!responses) throw fail('no responses in the answer');
    for (const single of children(inner, responses)) {
      const parts = children(inner, single);
      const idParts = children(inner, parts[0]!);
      const serial = Buffer.from(content(inner, idParts[3]!)).toString('hex');
      if (bareHex(serial) !== bareHex(leaf.serialNumber)) continue;
      const cs = parts[1]!;
      if (cs.tag === 0x80) return { status: 'good' };
      if (cs.tag !== 0xa1) return { status: 'unknown' };
      const info = children(inner, cs);
      const reasonNode = info[1] ? children(inner, info[1])[0] : undefined;
      const code = reasonNode ? content(inner, reasonNode)[0]! : 0;
      return { status: 'revoked', revokedAt: decodeTime(inner, info[0]!), reason: reasonName(code) };
    }
    throw fail('the answer does not mention the certificate asked about');
  } catch (e) {
    if (e instanceof ValidationError) throw e;
    throw fail(`unreadable answer: ${(e as Error).message}`);
  }
}

/** CRL reason code → name (codes Tarsier does not record, such as removeFromCRL, read as unspecified). */
export function reasonName(code: number): RevocationReason {
  const found = REVOCATION_REASONS.find((r) => REASON_CODES[r] === code);
  return found ?? 'unspecified';
}
