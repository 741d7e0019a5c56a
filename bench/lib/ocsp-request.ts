// OCSP requests for the revocation benchmark, written by hand: Tarsier has no request encoder (it only reads
// them), the structure is fixed (one SHA-1 CertID, optionally a nonce), and spawning `openssl ocsp -reqout` per
// serial costs ≈4 ms each. The benchmark checks the output byte for byte against `openssl ocsp -reqout` once.
import { createHash } from 'node:crypto';
import {
  child,
  children,
  content,
  contextConstructed,
  NULL,
  objectIdentifier,
  octetString,
  readRoot,
  sequence,
  tlv,
  whole,
} from '../../src/crypto/der.ts';

const SHA1 = '1.3.14.3.2.26';
const NONCE = '1.3.6.1.5.5.7.48.1.2';
export const NONCE_BYTES = 16;

/** SHA-1 of the issuer's subject Name and of its public key bits: the CertID's issuer half. */
export function issuerHashes(issuerDer: Uint8Array): { nameHash: Buffer; keyHash: Buffer } {
  const tbs = child(children(issuerDer, readRoot(issuerDer, 0x30)), 0, 0x30, 'tbsCertificate');
  const fields = children(issuerDer, tbs);
  const v = fields[0]?.tag === 0xa0 ? 1 : 0; // [0] version, then serial, signature, issuer, validity, subject, spki
  const subject = whole(issuerDer, child(fields, v + 4, 0x30, 'subject'));
  const spki = children(issuerDer, child(fields, v + 5, 0x30, 'subjectPublicKeyInfo'));
  const keyBits = content(issuerDer, child(spki, 1, 0x03, 'subjectPublicKey')).subarray(1); // minus unused-bits byte
  return {
    nameHash: createHash('sha1').update(subject).digest(),
    keyHash: createHash('sha1').update(keyBits).digest(),
  };
}

export interface EncodedRequest {
  der: Buffer;
  /** Where the nonce's 16 bytes sit in `der` (the load client refreshes them per request); absent without nonce. */
  nonceOffset?: number;
}

/** A DER OCSPRequest for one serial (stored form: lower-case hex) of the issuer, with a random nonce or none. */
export function encodeOcspRequest(
  hashes: { nameHash: Buffer; keyHash: Buffer },
  serialHex: string,
  withNonce: boolean,
): EncodedRequest {
  const serial = Buffer.from(serialHex.length % 2 ? `0${serialHex}` : serialHex, 'hex');
  const serialContent = serial[0]! & 0x80 ? Buffer.concat([Buffer.of(0), serial]) : serial;
  const certId = sequence(
    sequence(objectIdentifier(SHA1), NULL),
    octetString(hashes.nameHash),
    octetString(hashes.keyHash),
    tlv(0x02, serialContent),
  );
  const requestList = sequence(sequence(certId));
  if (!withNonce) return { der: Buffer.from(sequence(sequence(requestList))) };
  // The nonce sits last in the request, so its bytes are the final 16 of the DER.
  const nonce = Buffer.alloc(NONCE_BYTES, 0xa5);
  const extensions = contextConstructed(
    2,
    sequence(sequence(objectIdentifier(NONCE), octetString(octetString(nonce)))),
  );
  const der = Buffer.from(sequence(sequence(requestList, extensions)));
  return { der, nonceOffset: der.length - NONCE_BYTES };
}
