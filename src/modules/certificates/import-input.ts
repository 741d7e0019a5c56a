// Reads what a user imports (PEM, DER, PKCS#7, PKCS#12, a separate key) into one leaf, its chain and maybe a
// key. Pure: every malformed input becomes a ValidationError naming the field, before anything is stored.
import type { KeyObject } from 'node:crypto';
import { parsePrivateKey, privateKeyMatches } from '../../crypto/keys.ts';
import { orderChain, parseCertificate, parseCertificates } from '../../crypto/parse.ts';
import { pemBlocks, toPem } from '../../crypto/pem.ts';
import { readPkcs12 } from '../../crypto/pkcs12.ts';
import type { ParsedCertificate } from '../../crypto/types.ts';
import { ValidationError } from '../../errors.ts';
import type { ImportInput } from './schemas.ts';

export interface ImportMaterial {
  leaf: ParsedCertificate;
  chain: ParsedCertificate[];
  key?: KeyObject;
}

function base64(value: string, field: string): Uint8Array {
  const clean = value.replace(/\s+/g, '');
  if (clean.length === 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) {
    throw new ValidationError(field, 'is not base64; send the file bytes base64-encoded');
  }
  return Buffer.from(clean, 'base64');
}

const KEY_LABEL = /PRIVATE KEY$/;

function fromPem(pem: string, password: string | undefined): { certs: ParsedCertificate[]; key?: KeyObject } {
  const blocks = pemBlocks(pem);
  const keyBlocks = blocks.filter((b) => KEY_LABEL.test(b.label));
  if (keyBlocks.length > 1)
    throw new ValidationError('pem', 'holds more than one private key; import one certificate and its key at a time');
  const certText = blocks
    .filter((b) => !KEY_LABEL.test(b.label))
    .map((b) => toPem(b.der, b.label))
    .join('');
  if (!certText) throw new ValidationError('pem', 'holds no CERTIFICATE or PKCS7 block');
  const key = keyBlocks[0] ? parsePrivateKey(toPem(keyBlocks[0].der, keyBlocks[0].label), 'pem', password) : undefined;
  return { certs: parseCertificates(certText, 'pem'), key };
}

/** Parses one import request; throws ValidationError when it is malformed or the key does not match. */
export function readImport(input: ImportInput): ImportMaterial {
  const given = (['pem', 'der', 'pkcs12'] as const).filter((k) => input[k] !== undefined && input[k] !== '');
  if (given.length !== 1) {
    throw new ValidationError(given[1] ?? 'pem', 'send exactly one of pem, der (base64) or pkcs12 (base64)');
  }
  let certs: ParsedCertificate[];
  let key: KeyObject | undefined;
  if (input.pkcs12) {
    const p12 = readPkcs12(base64(input.pkcs12, 'pkcs12'), input.password ?? '', 'pkcs12');
    certs = p12.certificatesDer.map((der, i) => parseCertificate(der, `pkcs12.certificates[${i}]`));
    key = p12.privateKeyDer ? parsePrivateKey(p12.privateKeyDer, 'pkcs12') : undefined;
  } else if (input.der) {
    certs = parseCertificates(base64(input.der, 'der'), 'der');
  } else {
    ({ certs, key } = fromPem(input.pem!, input.password));
  }
  if (input.privateKey) {
    if (key) throw new ValidationError('privateKey', 'the file already holds a private key; send only one');
    key = parsePrivateKey(input.privateKey, 'privateKey', input.password);
  }
  if (certs.length === 0) throw new ValidationError(given[0]!, 'holds no certificate');
  if (key) {
    const leaf = certs.find((c) => privateKeyMatches(key, c.publicKey));
    if (!leaf) {
      const field = input.privateKey ? 'privateKey' : given[0]!;
      throw new ValidationError(
        field,
        `the private key does not match the certificate ${certs[0]!.subjectDn || certs[0]!.serial}`,
      );
    }
    return { leaf, chain: orderChain(certs.filter((c) => c !== leaf)), key };
  }
  const ordered = orderChain(certs);
  return { leaf: ordered[0]!, chain: ordered.slice(1) };
}
