// The password half of PKCS#12: the RFC 7292 appendix B key derivation, the MAC it keys, the legacy PBE ciphers
// and PBES2 / PBKDF2 (RFC 8018), all on node:crypto. The appendix B KDF is written here because no maintained
// package offers it on top of node:crypto (node-forge and pkijs bring their own crypto). The few parameter
// structures the @peculiar schema packages lack are declared as schema classes, not as hand-written DER.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  pbkdf2Sync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { MacData } from '@peculiar/asn1-pfx';
import { DigestInfo } from '@peculiar/asn1-rsa';
import { AsnConvert, AsnProp, AsnPropTypes, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { ValidationError } from '../errors.ts';

const REEXPORT_HINT =
  're-export it with `openssl pkcs12 -export -certpbe AES-256-CBC -keypbe AES-256-CBC -macalg sha256` ' +
  '(read the old file with `openssl pkcs12 -legacy -in old.p12 -nodes`)';
/** Refuse work factors that would let one uploaded file stall the server (OpenSSL writes 2048). */
export const MAX_ITERATIONS = 2_000_000;

/** PBKDF2-params (RFC 8018 A.2); the `otherSource` salt choice is used by no PKCS#12 writer. */
export class Pbkdf2Params {
  @AsnProp({ type: OctetString }) salt = new OctetString();
  @AsnProp({ type: AsnPropTypes.Integer }) iterationCount = 0;
  @AsnProp({ type: AsnPropTypes.Integer, optional: true }) keyLength?: number;
  @AsnProp({ type: AlgorithmIdentifier, optional: true }) prf?: AlgorithmIdentifier; // DEFAULT hmacWithSHA1
}

/** PBES2-params (RFC 8018 A.4), and PBMAC1-params (RFC 8018 A.5) which has the same shape. */
class Pbes2Params {
  @AsnProp({ type: AlgorithmIdentifier }) keyDerivationFunc = new AlgorithmIdentifier();
  @AsnProp({ type: AlgorithmIdentifier }) encryptionScheme = new AlgorithmIdentifier();
}

/** pkcs-12PbeParams (RFC 7292 appendix C). */
class Pkcs12PbeParams {
  @AsnProp({ type: OctetString }) salt = new OctetString();
  @AsnProp({ type: AsnPropTypes.Integer }) iterations = 0;
}

export const OID = {
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbmac1: '1.2.840.113549.1.5.14',
  hmacWithSHA256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

/** Digest OIDs (MAC) and their sizes: u = output bytes, v = block bytes, as appendix B names them. */
const DIGESTS: Record<string, { hash: string; u: number; v: number }> = {
  '1.3.14.3.2.26': { hash: 'sha1', u: 20, v: 64 },
  '2.16.840.1.101.3.4.2.4': { hash: 'sha224', u: 28, v: 64 },
  '2.16.840.1.101.3.4.2.1': { hash: 'sha256', u: 32, v: 64 },
  '2.16.840.1.101.3.4.2.2': { hash: 'sha384', u: 48, v: 128 },
  '2.16.840.1.101.3.4.2.3': { hash: 'sha512', u: 64, v: 128 },
};

/** HMAC PRFs of PBKDF2 / PBMAC1. */
const HMAC_PRFS: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};

const PBES2_CIPHERS: Record<string, { cipher: string; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { cipher: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { cipher: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { cipher: 'aes-256-cbc', keyLength: 32 },
  '1.2.840.113549.3.7': { cipher: 'des-ede3-cbc', keyLength: 24 },
};

/** The PKCS#12 PBE suites (RFC 7292 appendix C); all derive with SHA-1. `name` is what users know them by. */
const PKCS12_PBE: Record<string, { cipher: string; keyLength: number; ivLength: number; name: string }> = {
  '1.2.840.113549.1.12.1.1': { cipher: 'rc4', keyLength: 16, ivLength: 0, name: 'RC4-128' },
  '1.2.840.113549.1.12.1.2': { cipher: 'rc4-40', keyLength: 5, ivLength: 0, name: 'RC4-40' },
  '1.2.840.113549.1.12.1.3': { cipher: 'des-ede3-cbc', keyLength: 24, ivLength: 8, name: '3DES' },
  '1.2.840.113549.1.12.1.4': { cipher: 'des-ede-cbc', keyLength: 16, ivLength: 8, name: '2-key 3DES' },
  '1.2.840.113549.1.12.1.5': { cipher: 'rc2-cbc', keyLength: 16, ivLength: 8, name: 'RC2-128' },
  '1.2.840.113549.1.12.1.6': { cipher: 'rc2-40-cbc', keyLength: 5, ivLength: 8, name: 'RC2-40' },
};

/** The two encodings of one password: PBES2 and PBMAC1 use its UTF-8 bytes, appendix B a BMPString. */
export interface PasswordBytes {
  utf8: Buffer;
  bmp: Buffer;
}

/**
 * The appendix B BMPString form: UTF-16BE plus a two-byte zero terminator. OpenSSL encodes an *absent*
 * password as zero bytes and an empty one as just the terminator, so '' has two candidate forms.
 */
export function passwordForms(password: string): PasswordBytes[] {
  const utf8 = Buffer.from(password, 'utf8');
  const bmp = Buffer.concat([Buffer.from(password, 'utf16le').swap16(), Buffer.alloc(2)]);
  return password === ''
    ? [
        { utf8, bmp },
        { utf8, bmp: Buffer.alloc(0) },
      ]
    : [{ utf8, bmp }];
}

function repeatTo(source: Uint8Array, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = source[i % source.length]!;
  return out;
}

/** RFC 7292 B.2: derive `length` bytes of key material (id 1), IV (id 2) or MAC key (id 3). */
export function pkcs12Kdf(
  hash: string,
  password: Uint8Array,
  salt: Uint8Array,
  id: 1 | 2 | 3,
  iterations: number,
  length: number,
): Buffer {
  const sizes = Object.values(DIGESTS).find((d) => d.hash === hash);
  if (!sizes) throw new Error(`pkcs12Kdf: unsupported hash ${hash}`);
  const { v } = sizes;
  const diversifier = Buffer.alloc(v, id);
  const block = Buffer.concat([
    repeatTo(salt, v * Math.ceil(salt.length / v)),
    repeatTo(password, v * Math.ceil(password.length / v)),
  ]);
  const out = Buffer.alloc(length);
  for (let written = 0; ; ) {
    let a = createHash(hash).update(diversifier).update(block).digest();
    for (let r = 1; r < iterations; r++) a = createHash(hash).update(a).digest();
    written += a.copy(out, written);
    if (written >= length) return out;
    // I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block of I, B being A repeated to v bytes.
    const b = repeatTo(a, v);
    for (let j = 0; j < block.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = block[j + k]! + b[k]! + carry;
        block[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
}

/** Parse `bytes` as `type`, turning any schema exception into a ValidationError naming `what`. */
export function parseAs<T>(bytes: ArrayBuffer | ArrayBufferView, type: new () => T, field: string, what: string): T {
  try {
    return AsnConvert.parse(bytes, type);
  } catch (cause) {
    throw new ValidationError(field, `is not a PKCS#12 (PFX) file: ${what} is malformed (${errorText(cause)})`, {
      cause,
    });
  }
}

export function errorText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

export function checkIterations(count: number, field: string): number {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_ITERATIONS) {
    throw new ValidationError(field, `has an iteration count of ${count}; only 1 to ${MAX_ITERATIONS} is accepted`);
  }
  return count;
}

/** PBKDF2 as PBES2 and PBMAC1 use it; `keyLength` comes from the caller when the params omit it. */
function pbkdf2FromParams(
  params: ArrayBuffer | null | undefined,
  password: Uint8Array,
  keyLength: number | undefined,
  field: string,
): Buffer {
  const kdf = parseAs(params ?? new ArrayBuffer(0), Pbkdf2Params, field, 'the PBKDF2 parameters');
  const prf = HMAC_PRFS[kdf.prf?.algorithm ?? '1.2.840.113549.2.7'];
  if (!prf) throw unsupported(field, `PBKDF2 pseudo-random function ${kdf.prf?.algorithm}`);
  const length = kdf.keyLength ?? keyLength;
  if (length === undefined || (keyLength !== undefined && length !== keyLength) || length < 1 || length > 1024) {
    throw new ValidationError(
      field,
      `is not a PKCS#12 (PFX) file: PBKDF2 key length ${length} does not fit its cipher`,
    );
  }
  const salt = new Uint8Array(kdf.salt.buffer);
  return pbkdf2Sync(password, salt, checkIterations(kdf.iterationCount, field), length, prf);
}

export function unsupported(field: string, what: string): ValidationError {
  return new ValidationError(field, `uses an unsupported ${what}; ${REEXPORT_HINT}`);
}

function decipher(cipher: string, key: Buffer, iv: Buffer, data: Uint8Array): Buffer {
  try {
    const d = createDecipheriv(cipher, key, iv.length ? iv : null);
    return Buffer.concat([d.update(data), d.final()]);
  } catch (cause) {
    throw new ValidationError('password', 'wrong password for the PKCS#12 file (a protected part did not decrypt)', {
      cause,
    });
  } finally {
    key.fill(0);
  }
}

/** Decrypt `data` with the PBES2 or PKCS#12 PBE scheme `alg` names. */
export function pbeDecrypt(alg: AlgorithmIdentifier, data: Uint8Array, password: PasswordBytes, field: string): Buffer {
  const params = alg.parameters ?? new ArrayBuffer(0);
  if (alg.algorithm === OID.pbes2) {
    const pbes2 = parseAs(params, Pbes2Params, field, 'the PBES2 parameters');
    if (pbes2.keyDerivationFunc.algorithm !== OID.pbkdf2) {
      throw unsupported(field, `key derivation ${pbes2.keyDerivationFunc.algorithm}`);
    }
    const scheme = PBES2_CIPHERS[pbes2.encryptionScheme.algorithm];
    if (!scheme) throw unsupported(field, `cipher ${pbes2.encryptionScheme.algorithm}`);
    const ivParams = pbes2.encryptionScheme.parameters ?? new ArrayBuffer(0);
    const iv = Buffer.from(parseAs(ivParams, OctetString, field, 'the cipher IV').buffer);
    const key = pbkdf2FromParams(pbes2.keyDerivationFunc.parameters, password.utf8, scheme.keyLength, field);
    return decipher(scheme.cipher, key, iv, data);
  }
  const suite = PKCS12_PBE[alg.algorithm];
  if (!suite) throw unsupported(field, `encryption algorithm ${alg.algorithm}`);
  const pbe = parseAs(params, Pkcs12PbeParams, field, 'the PBE parameters');
  const salt = new Uint8Array(pbe.salt.buffer);
  const iterations = checkIterations(pbe.iterations, field);
  const key = pkcs12Kdf('sha1', password.bmp, salt, 1, iterations, suite.keyLength);
  const iv = pkcs12Kdf('sha1', password.bmp, salt, 2, iterations, suite.ivLength);
  try {
    createDecipheriv(suite.cipher, key, iv.length ? iv : null);
  } catch (cause) {
    // OpenSSL 3 keeps RC2 and RC4 in its legacy provider, which Node does not load.
    throw new ValidationError(field, `this PKCS#12 file uses ${suite.name} encryption (legacy); ${REEXPORT_HINT}`, {
      cause,
    });
  }
  return decipher(suite.cipher, key, iv, data);
}

/** Encrypt like OpenSSL 3's default: PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC. */
export function pbeEncrypt(
  data: Uint8Array,
  password: string,
  iterations: number,
): { algorithm: AlgorithmIdentifier; ciphertext: Buffer } {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
  key.fill(0);
  const kdfParams = new Pbkdf2Params();
  kdfParams.salt = new OctetString(salt);
  kdfParams.iterationCount = iterations;
  kdfParams.prf = new AlgorithmIdentifier({ algorithm: OID.hmacWithSHA256, parameters: null });
  const pbes2 = new Pbes2Params();
  pbes2.keyDerivationFunc = new AlgorithmIdentifier({
    algorithm: OID.pbkdf2,
    parameters: AsnConvert.serialize(kdfParams),
  });
  pbes2.encryptionScheme = new AlgorithmIdentifier({
    algorithm: OID.aes256Cbc,
    parameters: AsnConvert.serialize(new OctetString(iv)),
  });
  const algorithm = new AlgorithmIdentifier({ algorithm: OID.pbes2, parameters: AsnConvert.serialize(pbes2) });
  return { algorithm, ciphertext };
}

/** Check the MAC; returns the password form that matched (see passwordForms). */
export function verifyMac(mac: MacData, content: Uint8Array, password: string, field: string): PasswordBytes {
  const expected = new Uint8Array(mac.mac.digest.buffer);
  for (const form of passwordForms(password)) {
    const { hash, key } = macKey(mac, form, field);
    const actual = createHmac(hash, key).update(content).digest();
    key.fill(0);
    if (actual.length === expected.length && timingSafeEqual(actual, expected)) return form;
  }
  throw new ValidationError('password', 'wrong password for the PKCS#12 file (the integrity check failed)');
}

function macKey(mac: MacData, form: PasswordBytes, field: string): { hash: string; key: Buffer } {
  const algorithm = mac.mac.digestAlgorithm;
  if (algorithm.algorithm === OID.pbmac1) {
    // RFC 9579: PBKDF2 over the UTF-8 password; macSalt and iterations of MacData are ignored.
    const params = parseAs(algorithm.parameters ?? new ArrayBuffer(0), Pbes2Params, field, 'the PBMAC1 parameters');
    const hash = HMAC_PRFS[params.encryptionScheme.algorithm];
    if (!hash || params.keyDerivationFunc.algorithm !== OID.pbkdf2) throw unsupported(field, 'PBMAC1 scheme');
    return { hash, key: pbkdf2FromParams(params.keyDerivationFunc.parameters, form.utf8, undefined, field) };
  }
  const digest = DIGESTS[algorithm.algorithm];
  if (!digest) throw unsupported(field, `integrity (MAC) algorithm ${algorithm.algorithm}`);
  const salt = new Uint8Array(mac.macSalt.buffer);
  const iterations = checkIterations(mac.iterations, field);
  return { hash: digest.hash, key: pkcs12Kdf(digest.hash, form.bmp, salt, 3, iterations, digest.u) };
}

/** The MAC OpenSSL 3 writes: HMAC-SHA256 keyed by the appendix B KDF. */
export function sha256Mac(content: Uint8Array, password: string, iterations: number): MacData {
  const salt = randomBytes(16);
  const key = pkcs12Kdf('sha256', passwordForms(password)[0]!.bmp, salt, 3, iterations, 32);
  const digest = createHmac('sha256', key).update(content).digest();
  key.fill(0);
  return new MacData({
    mac: new DigestInfo({
      digestAlgorithm: new AlgorithmIdentifier({ algorithm: OID.sha256, parameters: null }),
      digest: new OctetString(digest),
    }),
    macSalt: new OctetString(salt),
    iterations,
  });
}
