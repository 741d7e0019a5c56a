// Builds and signs X.509 v3 certificates with the small DER writer in der.ts and node:crypto `sign`: issuance is
// Tarsier's measured hot path. @peculiar/x509 builds + signs ≈400 certificates/s here, a DER writer + crypto.sign
// ≈23,000/s (shared NOTES); the target is to out-issue CFSSL (≈1.7–4.2k/s). Measured for this file (ec-p256 leaf
// with SANs, KU, EKU, CRL DP, AIA, signed by an ec-p256 authority, one core, other jobs loading the 2 cores):
// ≈6,000–8,700/s with a new subject key per certificate, ≈12,500–17,000/s with its SPKI already cached.
// What the signer certificate contributes (issuer name, key identifier) is read once and cached.
import { createHash, createPublicKey, type KeyObject, randomBytes, sign } from 'node:crypto';
import { ValidationError } from '../errors.ts';
import {
  bitString,
  child,
  children,
  content,
  contextConstructed,
  DerError,
  decodeOid,
  NULL,
  objectIdentifier,
  readRoot,
  sequence,
  time,
  unsignedInteger,
  whole,
} from './der.ts';
import { buildExtensions, hasSans, OID } from './extensions.ts';
import { keyTypeOf, privateKeyMatches, publicKeySpki } from './keys.ts';
import { encodeName } from './names.ts';
import type { CertificateSpec, SignatureHash, Signer } from './types.ts';

const VERSION_3 = contextConstructed(0, Uint8Array.of(0x02, 0x01, 0x02));

interface SignatureAlgorithm {
  algorithmIdentifier: Uint8Array;
  digest: string | null;
}

const ECDSA_OIDS: Record<SignatureHash, string> = {
  sha256: '1.2.840.10045.4.3.2',
  sha384: '1.2.840.10045.4.3.3',
  sha512: '1.2.840.10045.4.3.4',
};
const RSA_OIDS: Record<SignatureHash, string> = {
  sha256: '1.2.840.113549.1.1.11',
  sha384: '1.2.840.113549.1.1.12',
  sha512: '1.2.840.113549.1.1.13',
};
const EC_DEFAULT_HASH: Record<string, SignatureHash> = {
  'ec-p256': 'sha256',
  'ec-p384': 'sha384',
  'ec-p521': 'sha512',
};

/** The signature algorithm for a signing key; `hash` overrides the default for ECDSA and RSA. */
export function signatureAlgorithmFor(key: KeyObject, hash?: SignatureHash): SignatureAlgorithm {
  const type = keyTypeOf(key);
  if (key.asymmetricKeyType === 'ec') {
    const digest = hash ?? EC_DEFAULT_HASH[type] ?? 'sha256';
    return { algorithmIdentifier: sequence(objectIdentifier(ECDSA_OIDS[digest])), digest };
  }
  if (key.asymmetricKeyType === 'rsa') {
    const digest = hash ?? 'sha256';
    return { algorithmIdentifier: sequence(objectIdentifier(RSA_OIDS[digest]), NULL), digest };
  }
  if (type === 'ed25519') return { algorithmIdentifier: sequence(objectIdentifier('1.3.101.112')), digest: null };
  if (type === 'ed448') return { algorithmIdentifier: sequence(objectIdentifier('1.3.101.113')), digest: null };
  throw new ValidationError('signer.privateKey', `a ${type} key cannot sign certificates here: use EC, RSA or Ed25519`);
}

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING contents (without the unused-bits byte). */
export function keyIdentifier(spkiDer: Uint8Array): Uint8Array {
  const spki = readRoot(spkiDer, 0x30);
  const bits = child(children(spkiDer, spki), 1, 0x03, 'subjectPublicKey');
  return createHash('sha1').update(content(spkiDer, bits).subarray(1)).digest();
}

interface SignerCertificate {
  subject: Uint8Array;
  keyId: Uint8Array;
  publicKey: KeyObject;
  checkedKeys: WeakSet<KeyObject>;
}

// By buffer identity first; by content too, for callers that load the authority's certificate afresh each time.
const signerByBuffer = new WeakMap<Uint8Array, SignerCertificate>();
const signerByContent = new Map<string, SignerCertificate>();
const MAX_SIGNERS_BY_CONTENT = 1000;

function readSignerCertificate(der: Uint8Array): SignerCertificate {
  const cached = signerByBuffer.get(der);
  if (cached) return cached;
  const contentKey = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('latin1');
  let info = signerByContent.get(contentKey);
  if (!info) {
    info = parseSignerCertificate(der);
    if (signerByContent.size >= MAX_SIGNERS_BY_CONTENT) signerByContent.clear();
    signerByContent.set(contentKey, info);
  }
  signerByBuffer.set(der, info);
  return info;
}

/** Subject, key identifier and public key of the authority's certificate. */
function parseSignerCertificate(der: Uint8Array): SignerCertificate {
  try {
    const tbs = child(children(der, readRoot(der, 0x30)), 0, 0x30, 'tbsCertificate');
    const fields = children(der, tbs);
    const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
    const subject = whole(der, child(fields, offset + 4, 0x30, 'subject'));
    const spkiDer = whole(der, child(fields, offset + 5, 0x30, 'subjectPublicKeyInfo'));
    let keyId: Uint8Array | undefined;
    const extensionsWrapper = fields.find((f) => f.tag === 0xa3);
    const list = extensionsWrapper && children(der, extensionsWrapper)[0];
    for (const ext of list ? children(der, list) : []) {
      const parts = children(der, ext);
      if (decodeOid(content(der, parts[0]!)) !== OID.subjectKeyIdentifier) continue;
      const value = content(der, parts[parts.length - 1]!);
      keyId = content(value, readRoot(value, 0x04));
    }
    const publicKey = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
    return { subject, keyId: keyId ?? keyIdentifier(spkiDer), publicKey, checkedKeys: new WeakSet<KeyObject>() };
  } catch (cause) {
    const reason = cause instanceof DerError ? cause.message : 'unreadable';
    throw new ValidationError('signer.certificateDer', `is not a DER certificate (${reason})`, { cause });
  }
}

function checkSerial(serial: Uint8Array): void {
  if (serial.length === 0 || serial.length > 20 || serial.every((b) => b === 0)) {
    throw new ValidationError('serial', 'must be a positive number of 1 to 20 bytes (use randomSerial())');
  }
  if ((serial[0]! & 0x80) !== 0) {
    throw new ValidationError('serial', 'has its high bit set, which would make it negative: clear it');
  }
}

function checkValidity(spec: CertificateSpec): void {
  const from = spec.notBefore.getTime();
  const to = spec.notAfter.getTime();
  if (Number.isNaN(from) || Number.isNaN(to))
    throw new ValidationError('notBefore', 'notBefore and notAfter must be dates');
  if (to <= from) throw new ValidationError('notAfter', 'must be later than notBefore');
}

/**
 * A signed DER certificate for `spec`, issued by `signer` (self-signed when signer.certificateDer is absent).
 * The issuer name is the signer certificate's subject, byte for byte. Throws ValidationError for a spec that
 * cannot be encoded (bad serial, country, IP address, duplicate extension…) or a key that does not match.
 * Example: buildCertificate({ serial: randomSerial(), subject: { commonName: 'x' }, … }, { privateKey, certificateDer }).
 */
export function buildCertificate(spec: CertificateSpec, signer: Signer): Uint8Array {
  checkSerial(spec.serial);
  checkValidity(spec);
  const subject = encodeName(spec.subject);
  const subjectIsEmpty = subject.length === 2;
  const spki = publicKeySpki(spec.publicKey);
  const subjectKeyId = keyIdentifier(spki);
  const isCa = spec.basicConstraints?.ca === true;
  if (subjectIsEmpty && (isCa || !signer.certificateDer)) {
    throw new ValidationError('subject', 'is empty: an authority and a self-signed certificate need a subject name');
  }
  if (subjectIsEmpty && !hasSans(spec.sans)) {
    throw new ValidationError('subject', 'is empty and there are no subject alternative names: give one or the other');
  }

  let issuer: Uint8Array;
  let authorityKeyId: Uint8Array;
  if (signer.certificateDer) {
    const info = readSignerCertificate(signer.certificateDer);
    if (!info.checkedKeys.has(signer.privateKey)) {
      if (!privateKeyMatches(signer.privateKey, info.publicKey)) {
        throw new ValidationError('signer.privateKey', 'does not belong to the signer certificate');
      }
      info.checkedKeys.add(signer.privateKey);
    }
    issuer = info.subject;
    authorityKeyId = info.keyId;
  } else {
    if (!privateKeyMatchesCached(signer.privateKey, spec.publicKey)) {
      throw new ValidationError('signer.privateKey', 'a self-signed certificate must be signed by its own key');
    }
    issuer = subject;
    authorityKeyId = subjectKeyId;
  }

  const algorithm = signatureAlgorithmFor(signer.privateKey, spec.signatureHash);
  const extensions = buildExtensions(spec, subjectKeyId, authorityKeyId, subjectIsEmpty);
  const tbs = sequence(
    VERSION_3,
    unsignedInteger(spec.serial),
    algorithm.algorithmIdentifier,
    issuer,
    sequence(time(spec.notBefore), time(spec.notAfter)),
    subject,
    spki,
    contextConstructed(3, sequence(...extensions)),
  );
  const signature = sign(algorithm.digest, tbs, signer.privateKey);
  return sequence(tbs, algorithm.algorithmIdentifier, bitString(signature));
}

const selfSignedPairs = new WeakMap<KeyObject, WeakSet<KeyObject>>();

function privateKeyMatchesCached(privateKey: KeyObject, publicKey: KeyObject): boolean {
  if (selfSignedPairs.get(privateKey)?.has(publicKey)) return true;
  if (!privateKeyMatches(privateKey, publicKey)) return false;
  const known = selfSignedPairs.get(privateKey) ?? new WeakSet<KeyObject>();
  known.add(publicKey);
  selfSignedPairs.set(privateKey, known);
  return true;
}

/** 16 random bytes as a positive DER INTEGER: high bit clear and a non-zero first byte (so exactly 16 bytes). */
export function randomSerial(): Uint8Array {
  for (;;) {
    const bytes = new Uint8Array(randomBytes(16));
    bytes[0]! &= 0x7f;
    if (bytes[0] !== 0) return bytes;
  }
}
