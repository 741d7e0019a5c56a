// PKCS#10 requests that Tarsier makes for itself: when an external issuer (ACME, CFSSL) certifies a key Tarsier
// generated, the issuer is sent a CSR, never the key. Same DER writer and signing as certificate-builder.ts.
import { type KeyObject, sign } from 'node:crypto';
import { signatureAlgorithmFor } from './certificate-builder.ts';
import { bitString, contextConstructed, objectIdentifier, sequence, set, smallInteger } from './der.ts';
import { hasSans, subjectAltNameExtension } from './extensions.ts';
import { publicKeySpki } from './keys.ts';
import { encodeName } from './names.ts';
import { toPem } from './pem.ts';
import type { NameFields, SubjectAltNames } from './types.ts';

const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';

/** A signed CSR for `subject` and `sans`, as PEM. Throws ValidationError for names that cannot be encoded. */
export function buildCsr(subject: NameFields, sans: SubjectAltNames, privateKey: KeyObject, publicKey: KeyObject) {
  const attributes = hasSans(sans)
    ? [sequence(objectIdentifier(EXTENSION_REQUEST), set(sequence(subjectAltNameExtension(sans))))]
    : [];
  const info = sequence(
    smallInteger(0),
    encodeName(subject),
    publicKeySpki(publicKey),
    contextConstructed(0, ...attributes),
  );
  const algorithm = signatureAlgorithmFor(privateKey);
  const signature = sign(algorithm.digest, info, privateKey);
  return toPem(sequence(info, algorithm.algorithmIdentifier, bitString(signature)), 'CERTIFICATE REQUEST');
}
