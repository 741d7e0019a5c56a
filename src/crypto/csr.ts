// Certificate signing requests from users. The signature is checked with node:crypto over the exact
// certificationRequestInfo bytes (a re-encoding library could turn a valid request invalid or the reverse), and
// synchronously, so callers need not await it. Requested SANs come from the extensionRequest attribute.
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { ValidationError } from '../errors.ts';
import { child, children, content, DerError, type DerNode, decodeOid, readRoot, whole } from './der.ts';
import { emptySans, readGeneralNames } from './extension-reader.ts';
import { keyTypeOf } from './keys.ts';
import { decodeName } from './names.ts';
import { decodeBase64, isPem, pemBlocks } from './pem.ts';
import type { ParsedCsr, SubjectAltNames } from './types.ts';

const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const SUBJECT_ALT_NAME = '2.5.29.17';

/** Signature algorithms a CSR may use: the digest, or null for EdDSA. */
const CSR_SIGNATURES: Record<string, string | null> = {
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.3.101.112': null,
  '1.3.101.113': null,
};

const HOW_TO = 'send a PKCS#10 request as PEM (BEGIN CERTIFICATE REQUEST) or base64 DER, e.g. from `openssl req -new`';

function csrDer(input: string, field: string): Uint8Array {
  if (isPem(input)) {
    const blocks = pemBlocks(input, field);
    const block = blocks.find((b) => b.label === 'CERTIFICATE REQUEST' || b.label === 'NEW CERTIFICATE REQUEST');
    if (!block) {
      const found = blocks.map((b) => b.label).join(', ') || 'no complete PEM block';
      throw new ValidationError(field, `holds no CERTIFICATE REQUEST (found ${found}): ${HOW_TO}`);
    }
    return block.der;
  }
  const der = decodeBase64(input);
  if (!der) throw new ValidationError(field, `is neither PEM nor base64: ${HOW_TO}`);
  return der;
}

/** SANs from the extensionRequest attribute ([0] IMPLICIT SET OF Attribute). */
function requestedSans(der: Uint8Array, attributes: DerNode | undefined) {
  const sans: Required<SubjectAltNames> = emptySans();
  for (const attribute of attributes ? children(der, attributes) : []) {
    const [type, values] = children(der, attribute);
    if (!type || !values || decodeOid(content(der, type)) !== EXTENSION_REQUEST) continue;
    for (const extensions of children(der, values)) {
      for (const ext of children(der, extensions)) {
        const parts = children(der, ext);
        if (decodeOid(content(der, parts[0]!)) !== SUBJECT_ALT_NAME) continue;
        const value = content(der, parts[parts.length - 1]!);
        readGeneralNames(value, readRoot(value, 0x30), sans);
      }
    }
  }
  return sans;
}

function checkSignature(
  der: Uint8Array,
  info: Uint8Array,
  algorithm: string,
  signature: Uint8Array,
  key: KeyObject,
  field: string,
) {
  const digest = CSR_SIGNATURES[algorithm];
  if (digest === undefined) {
    throw new ValidationError(
      field,
      `is signed with ${algorithm}, which Tarsier does not accept: sign it with ECDSA, RSA PKCS#1 v1.5 (SHA-256) or Ed25519`,
    );
  }
  let valid = false;
  try {
    valid = verify(digest, info, key, signature);
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new ValidationError(
      field,
      'signature does not verify: the request was altered after signing or is not signed by its own key; generate it again',
    );
  }
  return der;
}

/**
 * A verified CSR: subject, public key, requested SANs. Throws ValidationError(field) when the input is not a
 * PKCS#10 request or its signature does not verify. Example: parseCsr(pemText, 'csr').sans.dns.
 */
export function parseCsr(input: string, field: string): ParsedCsr {
  const der = csrDer(input, field);
  let parsed: {
    info: Uint8Array;
    algorithm: string;
    signature: Uint8Array;
    publicKey: KeyObject;
    subject: Uint8Array;
    sans: Required<SubjectAltNames>;
  };
  try {
    const request = children(der, readRoot(der, 0x30));
    const infoNode = child(request, 0, 0x30, 'certificationRequestInfo');
    const algorithm = children(der, child(request, 1, 0x30, 'signatureAlgorithm'))[0]!;
    const signature = content(der, child(request, 2, 0x03, 'signature')).subarray(1);
    const info = children(der, infoNode);
    const spki = whole(der, child(info, 2, 0x30, 'subjectPKInfo'));
    parsed = {
      info: whole(der, infoNode),
      algorithm: decodeOid(content(der, algorithm)),
      signature,
      publicKey: createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }),
      subject: whole(der, child(info, 1, 0x30, 'subject')),
      sans: requestedSans(
        der,
        info.find((n) => n.tag === 0xa0),
      ),
    };
  } catch (cause) {
    const reason = cause instanceof DerError ? cause.message : cause instanceof Error ? cause.message : 'unreadable';
    throw new ValidationError(field, `is not a PKCS#10 certificate request (${reason}): ${HOW_TO}`, { cause });
  }
  checkSignature(der, parsed.info, parsed.algorithm, parsed.signature, parsed.publicKey, field);
  let subject: ReturnType<typeof decodeName>;
  try {
    subject = decodeName(parsed.subject);
  } catch (cause) {
    throw new ValidationError(field, `has a subject name that cannot be read: ${HOW_TO}`, { cause });
  }
  return {
    der: new Uint8Array(der),
    publicKey: parsed.publicKey,
    keyType: keyTypeOf(parsed.publicKey),
    subject: subject.fields,
    sans: parsed.sans,
  };
}
