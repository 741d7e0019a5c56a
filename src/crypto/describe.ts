// The stored descriptions of a certificate we are about to build (subject DN text, signature algorithm name),
// derived from the spec with the same functions the parser uses, so issued and imported rows read alike
// without parsing what we just encoded on the hot path.
import type { KeyObject } from 'node:crypto';
import { signatureAlgorithmFor } from './certificate-builder.ts';
import { children, content, decodeOid, readRoot } from './der.ts';
import { decodeName, encodeName } from './names.ts';
import { signatureAlgorithmName } from './parse.ts';
import type { NameFields, SignatureHash } from './types.ts';

export function describeSpec(subject: NameFields, signerKey: KeyObject, hash?: SignatureHash) {
  const algorithm = signatureAlgorithmFor(signerKey, hash).algorithmIdentifier;
  const oidNode = children(algorithm, readRoot(algorithm, 0x30))[0]!;
  return {
    subject_dn: decodeName(encodeName(subject)).dn,
    signature_algorithm: signatureAlgorithmName(decodeOid(content(algorithm, oidNode))),
  };
}
