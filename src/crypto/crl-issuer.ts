// What the revocation encoders need from an authority's (or OCSP responder's) certificate: subject Name bytes,
// key identifier, public key bits. CRLs are built now and then but OCSP responses many times a second, so the
// certificate is read once and cached, by buffer identity and by content (as certificate-builder.ts does for
// signers), and the key/certificate match is checked once per key.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { ValidationError } from '../errors.ts';
import { keyIdentifier } from './certificate-builder.ts';
import { child, children, content, DerError, decodeOid, readRoot, whole } from './der.ts';
import { privateKeyMatches } from './keys.ts';

export interface IssuerCertificate {
  der: Uint8Array;
  /** The subject Name, DER, byte for byte as in the certificate. */
  subject: Uint8Array;
  /** The subjectPublicKey BIT STRING contents without the unused-bits byte (what OCSP key hashes cover). */
  publicKeyBits: Uint8Array;
  /** The subject key identifier extension's value, or RFC 5280 method 1 when the certificate has none. */
  keyId: Uint8Array;
  /** SHA-1 of publicKeyBits: an OCSP ResponderID byKey. */
  keySha1: Uint8Array;
  publicKey: KeyObject;
  checkedKeys: WeakSet<KeyObject>;
  /** Per-use memo (e.g. OCSP issuer hashes), filled by the callers. */
  memo: Map<string, unknown>;
}

const SUBJECT_KEY_IDENTIFIER = '2.5.29.14';
const byBuffer = new WeakMap<Uint8Array, IssuerCertificate>();
const byContent = new Map<string, IssuerCertificate>();
const MAX_BY_CONTENT = 1000;

/** The issuer certificate's parts (cached). Throws ValidationError(field) when it is not a DER certificate. */
export function readIssuerCertificate(der: Uint8Array, field: string): IssuerCertificate {
  const cached = byBuffer.get(der);
  if (cached) return cached;
  const contentKey = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('latin1');
  let info = byContent.get(contentKey);
  if (!info) {
    info = parse(der, field);
    if (byContent.size >= MAX_BY_CONTENT) byContent.clear();
    byContent.set(contentKey, info);
  }
  byBuffer.set(der, info);
  return info;
}

function parse(der: Uint8Array, field: string): IssuerCertificate {
  try {
    const tbs = child(children(der, readRoot(der, 0x30)), 0, 0x30, 'tbsCertificate');
    const fields = children(der, tbs);
    const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
    const subject = whole(der, child(fields, offset + 4, 0x30, 'subject'));
    const spkiNode = child(fields, offset + 5, 0x30, 'subjectPublicKeyInfo');
    const spki = whole(der, spkiNode);
    const bits = content(der, child(children(der, spkiNode), 1, 0x03, 'subjectPublicKey')).subarray(1);
    let keyId: Uint8Array | undefined;
    const wrapper = fields.find((f) => f.tag === 0xa3);
    const list = wrapper && children(der, wrapper)[0];
    for (const ext of list ? children(der, list) : []) {
      const parts = children(der, ext);
      if (decodeOid(content(der, parts[0]!)) !== SUBJECT_KEY_IDENTIFIER) continue;
      const value = content(der, parts[parts.length - 1]!);
      keyId = content(value, readRoot(value, 0x04));
    }
    const publicKey = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    const keySha1 = keyIdentifier(spki);
    return {
      der,
      subject,
      publicKeyBits: bits,
      keyId: keyId ?? keySha1,
      keySha1,
      publicKey,
      checkedKeys: new WeakSet(),
      memo: new Map(),
    };
  } catch (cause) {
    const reason = cause instanceof DerError ? cause.message : 'unreadable';
    throw new ValidationError(field, `is not a DER certificate (${reason})`, { cause });
  }
}

/** Throws ValidationError(field) unless `key` is the private key of the certificate (checked once per key). */
export function checkSignerKey(info: IssuerCertificate, key: KeyObject, field: string): void {
  if (info.checkedKeys.has(key)) return;
  if (!privateKeyMatches(key, info.publicKey)) throw new ValidationError(field, 'does not belong to the certificate');
  info.checkedKeys.add(key);
}
