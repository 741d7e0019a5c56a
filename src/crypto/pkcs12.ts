// PKCS#12 (PFX) files, RFC 7292: the bag structure, read in the variants OpenSSL 1.x/3 write (PBES2 and the
// legacy PKCS#12 3DES PBE; RC2/RC4 get a message saying how to re-export) and written the way OpenSSL 3 does by
// default. ASN.1 comes from the @peculiar schema packages; passwords, ciphers and the MAC live in
// pkcs12-kdf.ts. Every failure on untrusted bytes surfaces as a ValidationError.
import { createHash, createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import {
  Attribute,
  ContentInfo,
  EncryptedContent,
  EncryptedContentInfo,
  id_data,
  id_encryptedData,
} from '@peculiar/asn1-cms';
import {
  AuthenticatedSafe,
  CertBag,
  id_certBag,
  id_keyBag,
  id_pkcs8ShroudedKeyBag,
  id_x509Certificate,
  PFX,
  PKCS8ShroudedKeyBag,
  PKCS12Attribute,
  SafeBag,
  SafeContents,
} from '@peculiar/asn1-pfx';
import { EncryptedData as Pkcs8EncryptedData } from '@peculiar/asn1-pkcs8';
import { AsnConvert, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes, OctetString } from '@peculiar/asn1-schema';
import { ValidationError } from '../errors.ts';
import {
  errorText,
  MAX_ITERATIONS,
  type PasswordBytes,
  parseAs,
  passwordForms,
  pbeDecrypt,
  pbeEncrypt,
  sha256Mac,
  unsupported,
  verifyMac,
} from './pkcs12-kdf.ts';

const FRIENDLY_NAME = '1.2.840.113549.1.9.20';
const LOCAL_KEY_ID = '1.2.840.113549.1.9.21';
const SAFE_CONTENTS_BAG = '1.2.840.113549.1.12.10.1.6';

/** CMS EncryptedData (RFC 5652 section 8), which @peculiar/asn1-cms does not declare. */
class CmsEncryptedData {
  @AsnProp({ type: AsnPropTypes.Integer }) version = 0;
  @AsnProp({ type: EncryptedContentInfo }) encryptedContentInfo = new EncryptedContentInfo();
  @AsnProp({ type: Attribute, context: 1, implicit: true, repeated: 'set', optional: true })
  unprotectedAttrs?: Attribute[];
}

/** A bare BMPString, the friendlyName attribute's value. */
@AsnType({ type: AsnTypeTypes.Choice })
class BmpText {
  @AsnProp({ type: AsnPropTypes.BmpString }) value = '';
}

export interface Pkcs12Read {
  /** DER certificates; when a key is present, the certificate of that key comes first. */
  certificatesDer: Uint8Array[];
  /** PKCS#8 DER. */
  privateKeyDer?: Uint8Array;
}

interface Item {
  der: Uint8Array;
  localKeyId?: string;
}

/**
 * Read a password-protected PKCS#12 file. Throws ValidationError on `field` when the bytes are not PKCS#12 or
 * use an unsupported (legacy RC2/RC4) cipher, and on `password` when the password is wrong.
 */
export function readPkcs12(der: Uint8Array, password: string, field: string): Pkcs12Read {
  const pfx = parseAs(der, PFX, field, 'the outer PFX structure');
  if (pfx.version !== 3) {
    throw new ValidationError(field, `is not a PKCS#12 (PFX) file: version ${pfx.version}, expected 3`);
  }
  if (pfx.authSafe.contentType !== id_data) {
    throw new ValidationError(field, 'is a public-key protected PKCS#12 file; only password-protected files work');
  }
  const authSafe = octets(pfx.authSafe.content, field, 'the authenticated safe');
  // The schema fills an absent macData with an empty default: no algorithm means no MAC (openssl -nomac).
  const hasMac = pfx.macData.mac.digestAlgorithm.algorithm !== '';
  const form = hasMac ? verifyMac(pfx.macData, authSafe, password, field) : passwordForms(password)[0]!;
  const found = { keys: [] as Item[], certs: [] as Item[] };
  for (const info of parseAs(authSafe, AuthenticatedSafe, field, 'the authenticated safe')) {
    if (info.contentType === id_data) {
      readSafeContents(octets(info.content, field, 'a safe'), form, field, found, 0);
    } else if (info.contentType === id_encryptedData) {
      const eci = parseAs(info.content, CmsEncryptedData, field, 'an encrypted safe').encryptedContentInfo;
      const content = eci.encryptedContent;
      const bytes = content?.value?.buffer ?? concat(content?.constructedValue?.map((o) => o.buffer) ?? []);
      readSafeContents(
        pbeDecrypt(eci.contentEncryptionAlgorithm, new Uint8Array(bytes), form, field),
        form,
        field,
        found,
        0,
      );
    } else {
      throw new ValidationError(field, 'holds a public-key encrypted part; only password-protected files work');
    }
  }
  return assemble(found, field);
}

function readSafeContents(
  der: Uint8Array,
  form: PasswordBytes,
  field: string,
  found: { keys: Item[]; certs: Item[] },
  depth: number,
): void {
  for (const bag of parseAs(der, SafeContents, field, 'a safe')) {
    const localKeyId = attributeOctets(bag, field);
    if (bag.bagId === id_keyBag) {
      found.keys.push({ der: new Uint8Array(bag.bagValue), localKeyId });
    } else if (bag.bagId === id_pkcs8ShroudedKeyBag) {
      const shrouded = parseAs(bag.bagValue, PKCS8ShroudedKeyBag, field, 'a key bag');
      const data = new Uint8Array(shrouded.encryptedData.buffer);
      found.keys.push({ der: pbeDecrypt(shrouded.encryptionAlgorithm, data, form, field), localKeyId });
    } else if (bag.bagId === id_certBag) {
      const certBag = parseAs(bag.bagValue, CertBag, field, 'a certificate bag');
      // SDSI certificates (the only other kind) have never been seen in the wild; skip them.
      if (certBag.certId === id_x509Certificate) {
        found.certs.push({ der: octets(certBag.certValue, field, 'a certificate bag'), localKeyId });
      }
    } else if (bag.bagId === SAFE_CONTENTS_BAG && depth < 4) {
      readSafeContents(new Uint8Array(bag.bagValue), form, field, found, depth + 1);
    }
    // CRL and secret bags carry nothing Tarsier stores.
  }
}

function attributeOctets(bag: SafeBag, field: string): string | undefined {
  const value = bag.bagAttributes?.find((a) => a.attrId === LOCAL_KEY_ID)?.attrValues[0];
  return value ? Buffer.from(octets(value, field, 'a localKeyId attribute')).toString('hex') : undefined;
}

/** One key at most, checked against the certificates; the key's certificate moves to the front. */
function assemble(found: { keys: Item[]; certs: Item[] }, field: string): Pkcs12Read {
  if (found.keys.length > 1) {
    throw new ValidationError(field, `holds ${found.keys.length} private keys; export one key with its certificates`);
  }
  const certs = found.certs.map((item, i) => {
    try {
      return { ...item, x509: new X509Certificate(item.der) };
    } catch (cause) {
      throw new ValidationError(field, `certificate ${i + 1} in the PKCS#12 file is malformed (${errorText(cause)})`, {
        cause,
      });
    }
  });
  const key = found.keys[0];
  if (!key) return { certificatesDer: certs.map((c) => c.der) };
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: Buffer.from(key.der), format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw new ValidationError(field, `the private key in the PKCS#12 file is malformed (${errorText(cause)})`, {
      cause,
    });
  }
  const matches = certs.filter((c) => c.x509.checkPrivateKey(privateKey));
  const leaf = matches.find((c) => key.localKeyId && c.localKeyId === key.localKeyId) ?? matches[0];
  if (!leaf && certs.length > 0) {
    throw new ValidationError(field, 'holds a private key that matches none of its certificates');
  }
  const ordered = leaf ? [leaf, ...certs.filter((c) => c !== leaf)] : certs;
  return { certificatesDer: ordered.map((c) => c.der), privateKeyDer: key.der };
}

function octets(der: ArrayBuffer | ArrayBufferView, field: string, what: string): Uint8Array {
  const bytes = ArrayBuffer.isView(der)
    ? new Uint8Array(der.buffer, der.byteOffset, der.byteLength)
    : new Uint8Array(der);
  // The schema layer reads a BER constructed OCTET STRING (tag 0x24) as empty; say so instead of misreading it.
  if (bytes[0] === 0x24) throw unsupported(field, `BER encoding (a constructed OCTET STRING in ${what})`);
  return new Uint8Array(parseAs(der, OctetString, field, what).buffer);
}

function concat(parts: ArrayBuffer[]): ArrayBuffer {
  const joined = Buffer.concat(parts.map((p) => new Uint8Array(p)));
  return joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength);
}

export interface WritePkcs12Options {
  /** PKCS#8 DER. */
  privateKeyDer?: Uint8Array;
  /** DER, leaf first. */
  certificatesDer: Uint8Array[];
  password: string;
  friendlyName?: string;
  /** PBKDF2 and MAC iterations; 2048 like OpenSSL 3. */
  iterations?: number;
}

/**
 * Write a PKCS#12 file as OpenSSL 3 does by default. Throws ValidationError on `password` (under 4 characters),
 * `iterations`, `privateKeyDer` or `certificatesDer[i]` (not DER, or the leaf does not match the key).
 */
export function writePkcs12(opts: WritePkcs12Options): Uint8Array {
  const { password, privateKeyDer } = opts;
  if ([...password].length < 4) {
    throw new ValidationError(
      'password',
      'a password of at least 4 characters is required to protect the PKCS#12 file',
    );
  }
  const iterations = opts.iterations ?? 2048;
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new ValidationError('iterations', `must be a whole number from 1 to ${MAX_ITERATIONS}`);
  }
  const certs = opts.certificatesDer.map((der, i) => {
    try {
      return new X509Certificate(der);
    } catch {
      throw new ValidationError(`certificatesDer[${i}]`, 'is not a DER-encoded X.509 certificate');
    }
  });
  if (!certs.length && !privateKeyDer) {
    throw new ValidationError('certificatesDer', 'give at least one certificate or a private key');
  }
  let localKeyId: Buffer | undefined;
  if (privateKeyDer) {
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: Buffer.from(privateKeyDer), format: 'der', type: 'pkcs8' });
    } catch (cause) {
      throw new ValidationError('privateKeyDer', `is not a PKCS#8 DER private key (${errorText(cause)})`, { cause });
    }
    if (certs[0] && !certs[0].checkPrivateKey(key)) {
      throw new ValidationError(
        'certificatesDer[0]',
        'does not match the private key; put the key’s certificate first',
      );
    }
    // OpenSSL's choice: the SHA-1 of the leaf certificate links the key bag to the certificate bag.
    localKeyId = certs[0] ? createHash('sha1').update(certs[0].raw).digest() : undefined;
  }
  const attributes = bagAttributes(opts.friendlyName, localKeyId);
  const safes: ContentInfo[] = [];
  if (certs.length) {
    const bags = certs.map(
      (cert, i) =>
        new SafeBag({
          bagId: id_certBag,
          bagValue: AsnConvert.serialize(
            new CertBag({ certId: id_x509Certificate, certValue: AsnConvert.serialize(new OctetString(cert.raw)) }),
          ),
          bagAttributes: i === 0 ? attributes : undefined,
        }),
    );
    const { algorithm, ciphertext } = pbeEncrypt(serialize(new SafeContents(bags)), password, iterations);
    const encrypted = new CmsEncryptedData();
    encrypted.encryptedContentInfo = new EncryptedContentInfo({
      contentType: id_data,
      contentEncryptionAlgorithm: algorithm,
      encryptedContent: new EncryptedContent({ value: new OctetString(ciphertext) }),
    });
    safes.push(new ContentInfo({ contentType: id_encryptedData, content: AsnConvert.serialize(encrypted) }));
  }
  if (privateKeyDer) {
    const { algorithm, ciphertext } = pbeEncrypt(privateKeyDer, password, iterations);
    const shrouded = new PKCS8ShroudedKeyBag({
      encryptionAlgorithm: algorithm,
      encryptedData: new Pkcs8EncryptedData(ciphertext),
    });
    const bag = new SafeBag({
      bagId: id_pkcs8ShroudedKeyBag,
      bagValue: AsnConvert.serialize(shrouded),
      bagAttributes: attributes,
    });
    safes.push(dataContent(serialize(new SafeContents([bag]))));
  }
  const authSafe = serialize(new AuthenticatedSafe(safes));
  const pfx = new PFX({
    version: 3,
    authSafe: dataContent(authSafe),
    macData: sha256Mac(authSafe, password, iterations),
  });
  return serialize(pfx);
}

function bagAttributes(
  friendlyName: string | undefined,
  localKeyId: Buffer | undefined,
): PKCS12Attribute[] | undefined {
  // PKCS12Attribute's constructor drops its argument (asn1-pfx 2.11.1 calls Object.assign(params)): assign after.
  const attribute = (attrId: string, value: ArrayBuffer) =>
    Object.assign(new PKCS12Attribute(), { attrId, attrValues: [value] });
  const attributes: PKCS12Attribute[] = [];
  if (friendlyName) {
    const text = Object.assign(new BmpText(), { value: friendlyName });
    attributes.push(attribute(FRIENDLY_NAME, AsnConvert.serialize(text)));
  }
  if (localKeyId) {
    attributes.push(attribute(LOCAL_KEY_ID, AsnConvert.serialize(new OctetString(localKeyId))));
  }
  return attributes.length ? attributes : undefined;
}

function dataContent(bytes: Uint8Array): ContentInfo {
  return new ContentInfo({ contentType: id_data, content: AsnConvert.serialize(new OctetString(bytes)) });
}

function serialize(value: unknown): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(value));
}
