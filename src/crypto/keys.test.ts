import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import {
  exportPrivateKeyDer,
  exportPrivateKeyPem,
  generateKeyPair,
  keyTypeOf,
  parsePrivateKey,
  privateKeyMatches,
  publicKeySpki,
} from './keys.ts';
import { openssl, opensslBytes, tempDir } from './testing.ts';
import { KEY_TYPES } from './types.ts';

const dir = tempDir();
afterAll(() => dir.remove());

describe('generateKeyPair and keyTypeOf', () => {
  it.each(KEY_TYPES.filter((t) => t !== 'rsa-4096'))('generates %s keys that report their own type', async (type) => {
    const { privateKey, publicKey } = await generateKeyPair(type);
    expect(keyTypeOf(privateKey)).toBe(type);
    expect(keyTypeOf(publicKey)).toBe(type);
    expect(privateKeyMatches(privateKey, publicKey)).toBe(true);
    // The hand-assembled SPKI is byte-identical to OpenSSL's encoder.
    expect(Buffer.from(publicKeySpki(publicKey))).toEqual(publicKey.export({ type: 'spki', format: 'der' }));
    expect(Buffer.from(publicKeySpki(privateKey))).toEqual(publicKey.export({ type: 'spki', format: 'der' }));
  });

  it('uses e = 65537 for RSA', async () => {
    const { publicKey } = await generateKeyPair('rsa-2048');
    expect(publicKey.asymmetricKeyDetails?.publicExponent).toBe(65537n);
  });

  it('names foreign key types', () => {
    const p521 = parsePrivateKey(
      openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521']),
      'key',
    );
    const k256 = parsePrivateKey(
      openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1']),
      'key',
    );
    const ed448 = parsePrivateKey(openssl(['genpkey', '-algorithm', 'ED448']), 'key');
    expect([keyTypeOf(p521), keyTypeOf(k256), keyTypeOf(ed448)]).toEqual(['ec-p521', 'ec-secp256k1', 'ed448']);
    expect(Buffer.from(publicKeySpki(p521))).toEqual(createPublicKey(p521).export({ type: 'spki', format: 'der' }));
  });

  it('rejects an unknown key type', async () => {
    await expect(generateKeyPair('dsa-1024' as never)).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('parsePrivateKey', () => {
  const ecSec1 = openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout']);
  const ecFile = dir.write('ec.pem', ecSec1);
  const rsaPkcs1 = openssl(['genrsa', '-traditional', '1024']);
  const rsaFile = dir.write('rsa.pem', rsaPkcs1);
  const reference = parsePrivateKey(ecSec1, 'key');
  const spki = (k: ReturnType<typeof parsePrivateKey>) => createPublicKey(k).export({ type: 'spki', format: 'der' });

  it('reads SEC1, PKCS#1, PKCS#8 PEM and their DER forms', () => {
    expect(ecSec1).toContain('BEGIN EC PRIVATE KEY');
    expect(rsaPkcs1).toContain('BEGIN RSA PRIVATE KEY');
    const pkcs8 = openssl(['pkcs8', '-topk8', '-nocrypt', '-in', ecFile]);
    expect(spki(parsePrivateKey(pkcs8, 'key'))).toEqual(spki(reference));
    expect(keyTypeOf(parsePrivateKey(rsaPkcs1, 'key'))).toBe('rsa-1024');
    const sec1Der = opensslBytes(['ec', '-in', ecFile, '-outform', 'DER']);
    const pkcs1Der = opensslBytes(['rsa', '-traditional', '-in', rsaFile, '-outform', 'DER']);
    const pkcs8Der = opensslBytes(['pkcs8', '-topk8', '-nocrypt', '-in', ecFile, '-outform', 'DER']);
    expect(spki(parsePrivateKey(sec1Der, 'key'))).toEqual(spki(reference));
    expect(spki(parsePrivateKey(pkcs8Der, 'key'))).toEqual(spki(reference));
    expect(keyTypeOf(parsePrivateKey(pkcs1Der, 'key'))).toBe('rsa-1024');
    expect(spki(parsePrivateKey(Buffer.from(pkcs8Der).toString('base64'), 'key'))).toEqual(spki(reference));
    expect(spki(parsePrivateKey(new TextEncoder().encode(pkcs8), 'key'))).toEqual(spki(reference));
  });

  it('reads encrypted PKCS#8 with its passphrase and says what is wrong otherwise', () => {
    const encrypted = openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-passout', 'pass:s3cret', '-in', ecFile]);
    expect(encrypted).toContain('BEGIN ENCRYPTED PRIVATE KEY');
    expect(spki(parsePrivateKey(encrypted, 'key', 's3cret'))).toEqual(spki(reference));
    expect(() => parsePrivateKey(encrypted, 'key')).toThrow(/key: is encrypted: send its passphrase/);
    expect(() => parsePrivateKey(encrypted, 'key', 'wrong')).toThrow(/passphrase is wrong/);
    const der = opensslBytes([
      'pkcs8',
      '-topk8',
      '-v2',
      'aes-256-cbc',
      '-passout',
      'pass:s3cret',
      '-in',
      ecFile,
      '-outform',
      'DER',
    ]);
    expect(spki(parsePrivateKey(der, 'key', 's3cret'))).toEqual(spki(reference));
    expect(() => parsePrivateKey(der, 'key')).toThrow(/is encrypted/);
    expect(() => parsePrivateKey(der, 'key', 'wrong')).toThrow(/passphrase is wrong/);
  });

  it('reads legacy encrypted PEM (DEK-Info)', () => {
    const legacy = openssl(['ec', '-aes128', '-passout', 'pass:pw', '-in', ecFile]);
    expect(legacy).toContain('Proc-Type: 4,ENCRYPTED');
    expect(spki(parsePrivateKey(legacy, 'key', 'pw'))).toEqual(spki(reference));
    expect(() => parsePrivateKey(legacy, 'key')).toThrow(/is encrypted/);
  });

  it('turns garbage into a ValidationError that says what to send', () => {
    const inputs: (string | Uint8Array)[] = [
      '',
      'hello',
      new Uint8Array([1, 2, 3]),
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
      openssl([
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        '/dev/null',
        '-subj',
        '/CN=x',
      ]),
    ];
    for (const input of inputs) {
      let error: unknown;
      try {
        parsePrivateKey(input, 'privateKey');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('privateKey');
      expect((error as Error).message).toMatch(/send a private key|not a readable/);
    }
  });

  it('exports PKCS#8 that openssl reads back', () => {
    const pem = exportPrivateKeyPem(reference);
    expect(pem).toContain('BEGIN PRIVATE KEY');
    expect(openssl(['pkey', '-in', dir.write('out.pem', pem), '-noout', '-text'])).toContain('ASN1 OID: prime256v1');
    expect(spki(parsePrivateKey(exportPrivateKeyDer(reference), 'key'))).toEqual(spki(reference));
  });

  it.each(['P-256', 'P-384', 'P-521'])(
    'assembles %s PKCS#8 byte for byte as OpenSSL encodes it, and openssl reads it',
    (curve) => {
      for (let i = 0; i < 200; i++) {
        const { privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
        const ours = exportPrivateKeyDer(privateKey);
        expect(Buffer.from(ours).equals(privateKey.export({ type: 'pkcs8', format: 'der' }))).toBe(true);
      }
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
      const file = dir.write(`k-${curve}.der`, Buffer.from(exportPrivateKeyDer(privateKey)));
      expect(openssl(['pkey', '-inform', 'DER', '-in', file, '-noout', '-check'])).toContain('valid');
    },
  );

  it('tells matching and non-matching key halves apart', async () => {
    const other = await generateKeyPair('ec-p256');
    expect(privateKeyMatches(reference, createPublicKey(reference))).toBe(true);
    expect(privateKeyMatches(reference, other.publicKey)).toBe(false);
    expect(privateKeyMatches(other.publicKey, other.publicKey)).toBe(false);
  });
});
