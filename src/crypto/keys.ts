// Key pairs on node:crypto only: generation for the key types Tarsier offers, and the one parser of private keys
// from users (PEM in its PKCS#8, PKCS#1 and SEC1 forms, encrypted PKCS#8, or raw DER), which turns every OpenSSL
// error into a ValidationError that says what to send instead.
import {
  createPrivateKey,
  createPublicKey,
  type JsonWebKey,
  type KeyObject,
  generateKeyPair as nodeGenerateKeyPair,
  type PrivateKeyInput,
} from 'node:crypto';
import { promisify } from 'node:util';
import { ValidationError } from '../errors.ts';
import {
  bitString,
  contextConstructed,
  NULL,
  objectIdentifier,
  octetString,
  sequence,
  unsignedInteger,
} from './der.ts';
import { decodeBase64, isPem, pemBlocks } from './pem.ts';
import type { KeyType } from './types.ts';

const generate = promisify(nodeGenerateKeyPair);

/** Curve OIDs by JWK `crv` and by OpenSSL's curve name (KeyObject.asymmetricKeyDetails.namedCurve). */
const SPKI_CURVES: Record<string, string> = {
  'P-256': '1.2.840.10045.3.1.7',
  'P-384': '1.3.132.0.34',
  'P-521': '1.3.132.0.35',
  prime256v1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
  secp521r1: '1.3.132.0.35',
};

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A fresh key pair (RSA with e = 65537). Throws ValidationError for a type Tarsier does not generate. */
export async function generateKeyPair(type: KeyType): Promise<KeyPair> {
  switch (type) {
    case 'ec-p256':
      return generate('ec', { namedCurve: 'P-256' });
    case 'ec-p384':
      return generate('ec', { namedCurve: 'P-384' });
    case 'rsa-2048':
    case 'rsa-3072':
    case 'rsa-4096':
      return generate('rsa', { modulusLength: Number(type.slice(4)), publicExponent: 0x10001 });
    case 'ed25519':
      return generate('ed25519');
    default:
      throw new ValidationError(
        'keyType',
        `'${String(type)}' is not one of ec-p256, ec-p384, rsa-2048, rsa-3072, rsa-4096, ed25519`,
      );
  }
}

const CURVES: Record<string, string> = {
  prime256v1: 'ec-p256',
  'P-256': 'ec-p256',
  secp384r1: 'ec-p384',
  'P-384': 'ec-p384',
  secp521r1: 'ec-p521',
  'P-521': 'ec-p521',
};

const keyTypes = new WeakMap<KeyObject, string>();

/** 'ec-p256' | 'ec-p384' | 'ec-p521' | 'rsa-<bits>' | 'ed25519' | 'ed448' | 'ec-<curve>' (cached per key). */
export function keyTypeOf(key: KeyObject): string {
  const cached = keyTypes.get(key);
  if (cached) return cached;
  const details = key.asymmetricKeyDetails ?? {};
  let type: string;
  switch (key.asymmetricKeyType) {
    case 'rsa':
      type = `rsa-${details.modulusLength}`;
      break;
    case 'rsa-pss':
      type = `rsa-pss-${details.modulusLength}`;
      break;
    case 'ec': {
      const curve = details.namedCurve ?? 'unknown';
      type = CURVES[curve] ?? `ec-${curve}`;
      break;
    }
    default:
      type = key.asymmetricKeyType ?? 'unknown';
  }
  keyTypes.set(key, type);
  return type;
}

const ACCEPTED =
  "send a private key as PEM ('PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY' or 'EC PRIVATE KEY') or as DER";

function fromDer(der: Uint8Array, field: string, passphrase?: string): KeyObject {
  const key = Buffer.from(der);
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return createPrivateKey({ key, format: 'der', type, passphrase } as PrivateKeyInput);
    } catch (cause) {
      if ((cause as { code?: string }).code === 'ERR_MISSING_PASSPHRASE') {
        throw new ValidationError(field, 'is encrypted: send its passphrase as well, or send the key unencrypted');
      }
      // otherwise try the next container
    }
  }
  if (passphrase !== undefined) {
    throw new ValidationError(
      field,
      `could not be read: the passphrase is wrong, or it is not a private key (${ACCEPTED})`,
    );
  }
  throw new ValidationError(field, `is not a private key in DER form (PKCS#8, PKCS#1 or SEC1): ${ACCEPTED}`);
}

function fromPem(text: string, field: string, passphrase?: string): KeyObject {
  const blocks = pemBlocks(text, field);
  const block = blocks.find((b) => b.label.endsWith('PRIVATE KEY'));
  if (!block) {
    const found = blocks.map((b) => b.label).join(', ') || 'no complete PEM block';
    throw new ValidationError(field, `holds no private key (found ${found}): ${ACCEPTED}`);
  }
  const encrypted = block.label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(text);
  if (encrypted && !passphrase) {
    throw new ValidationError(field, 'is encrypted: send its passphrase as well, or send the key unencrypted');
  }
  try {
    // The whole block (headers included) goes to OpenSSL so legacy encrypted PEM (DEK-Info) works as well.
    const start = text.indexOf(`-----BEGIN ${block.label}-----`);
    const endMarker = `-----END ${block.label}-----`;
    const pem = text.slice(start, text.indexOf(endMarker, start) + endMarker.length);
    return createPrivateKey({ key: pem, format: 'pem', passphrase });
  } catch (cause) {
    const message = encrypted
      ? 'could not be decrypted: the passphrase is wrong or the key is damaged'
      : `is not a readable ${block.label}: it is damaged or uses an algorithm Tarsier does not support`;
    throw new ValidationError(field, message, { cause });
  }
}

/**
 * A private key from untrusted input: PEM (PKCS#8, encrypted PKCS#8, PKCS#1 RSA, SEC1 EC), base64 DER or DER
 * bytes. Throws ValidationError(field) on anything else, on a missing or wrong passphrase.
 */
export function parsePrivateKey(input: string | Uint8Array, field: string, passphrase?: string): KeyObject {
  if (isPem(input)) {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
    return fromPem(text, field, passphrase);
  }
  const der = typeof input === 'string' ? decodeBase64(input) : input;
  if (!der || der.length === 0) throw new ValidationError(field, `is empty or not base64: ${ACCEPTED}`);
  return fromDer(der, field, passphrase);
}

/** True when `privateKey` is the private half of `publicKey` (compares the derived SubjectPublicKeyInfo). */
export function privateKeyMatches(privateKey: KeyObject, publicKey: KeyObject): boolean {
  if (privateKey.type !== 'private' || publicKey.type !== 'public') return false;
  return Buffer.from(publicKeySpki(privateKey)).equals(publicKeySpki(publicKey));
}

/** Unencrypted PKCS#8 PEM. */
export function exportPrivateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }) as string;
}

const EC_PUBLIC_KEY = '1.2.840.10045.2.1';

/**
 * Unencrypted PKCS#8 DER, byte-identical to `export({ type: 'pkcs8', format: 'der' })`. EC keys are assembled
 * from the JWK export (RFC 5915 inside RFC 5208, parameters in the algorithm only, as OpenSSL writes them):
 * OpenSSL 3's DER encoder took ≈62 µs per P-256 key here, the JWK export ≈9–27 µs, on every issuance.
 */
export function exportPrivateKeyDer(key: KeyObject): Uint8Array {
  const known = pkcs8Cache.get(key);
  if (known) return Uint8Array.from(known); // a copy: callers wipe what they are given
  const curve = key.asymmetricKeyType === 'ec' ? SPKI_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''] : undefined;
  if (!curve) return new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }));
  return ecPkcs8FromJwk(key.export({ format: 'jwk' }), curve);
}

function ecPkcs8FromJwk(jwk: JsonWebKey, curveOid: string): Uint8Array {
  const point = Buffer.concat([Uint8Array.of(4), b64url(jwk.x), b64url(jwk.y)]);
  const ecPrivateKey = sequence(
    Uint8Array.of(0x02, 0x01, 0x01),
    octetString(b64url(jwk.d)),
    contextConstructed(1, bitString(point)),
  );
  const algorithm = sequence(objectIdentifier(EC_PUBLIC_KEY), objectIdentifier(curveOid));
  return sequence(Uint8Array.of(0x02, 0x01, 0x00), algorithm, octetString(ecPrivateKey));
}

/** PKCS#8 of keys whose encodings were made with them (rememberEncodings); the KeyObject holds the same secret. */
const pkcs8Cache = new WeakMap<KeyObject, Uint8Array>();

const spkiCache = new WeakMap<KeyObject, Uint8Array>();
const b64url = (text: string | undefined): Uint8Array => Buffer.from(text ?? '', 'base64url');

/**
 * The DER SubjectPublicKeyInfo of a key (public, or private: its public half), byte-identical to
 * `export({ type: 'spki', format: 'der' })`. Assembled from the JWK export because OpenSSL 3's encoder is
 * the slowest step of issuing otherwise: ≈6,000 EC exports/s against ≈190,000/s for JWK on this machine.
 */
export function publicKeySpki(key: KeyObject): Uint8Array {
  const cached = spkiCache.get(key);
  if (cached) return cached;
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = ['ec', 'rsa', 'ed25519', 'ed448'].includes(publicKey.asymmetricKeyType ?? '')
    ? publicKey.export({ format: 'jwk' })
    : undefined;
  const spki = (jwk && spkiFromJwk(jwk)) ?? new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  spkiCache.set(key, spki);
  return spki;
}

/** The SubjectPublicKeyInfo of an EC, RSA or EdDSA JWK (public or private); undefined for anything else. */
function spkiFromJwk(jwk: JsonWebKey): Uint8Array | undefined {
  const curve = jwk.crv && SPKI_CURVES[jwk.crv];
  if (jwk.kty === 'EC' && curve) {
    const point = Buffer.concat([Uint8Array.of(4), b64url(jwk.x), b64url(jwk.y)]);
    return sequence(sequence(objectIdentifier(EC_PUBLIC_KEY), objectIdentifier(curve)), bitString(point));
  }
  if (jwk.kty === 'RSA') {
    const rsaKey = sequence(unsignedInteger(b64url(jwk.n)), unsignedInteger(b64url(jwk.e)));
    return sequence(sequence(objectIdentifier('1.2.840.113549.1.1.1'), NULL), bitString(rsaKey));
  }
  if (jwk.kty === 'OKP' && (jwk.crv === 'Ed25519' || jwk.crv === 'Ed448')) {
    return sequence(
      sequence(objectIdentifier(jwk.crv === 'Ed25519' ? '1.3.101.112' : '1.3.101.113')),
      bitString(b64url(jwk.x)),
    );
  }
  return undefined;
}

/**
 * Records a new pair's encodings from its private JWK, exported where the pair was made (crypto/key-pool.ts's
 * worker thread), so that publicKeySpki, exportPrivateKeyDer and keyTypeOf need no export on this thread.
 */
export function rememberEncodings(pair: KeyPair, jwk: JsonWebKey, type: KeyType): void {
  const spki = spkiFromJwk(jwk);
  if (!spki) return;
  spkiCache.set(pair.publicKey, spki);
  spkiCache.set(pair.privateKey, spki);
  keyTypes.set(pair.publicKey, type);
  keyTypes.set(pair.privateKey, type);
  const curve = jwk.kty === 'EC' && jwk.crv ? SPKI_CURVES[jwk.crv] : undefined;
  if (curve && jwk.d) pkcs8Cache.set(pair.privateKey, ecPkcs8FromJwk(jwk, curve));
}
