// Shared vocabulary of the crypto layer: key types, names, certificate specs, parsed views. The rest of Tarsier
// speaks these types; nothing outside src/crypto touches ASN.1.
import type { KeyObject } from 'node:crypto';

export const KEY_TYPES = ['ec-p256', 'ec-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096', 'ed25519'] as const;
/** A key type Tarsier can generate. Parsed keys may report others (e.g. `rsa-1024`, `ec-secp256k1`). */
export type KeyType = (typeof KEY_TYPES)[number];

export const SIGNATURE_HASHES = ['sha256', 'sha384', 'sha512'] as const;
export type SignatureHash = (typeof SIGNATURE_HASHES)[number];

/** The RFC 5280 reason names a revocation may carry (CRLReason, 5.3.1), in code order. */
export const REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'privilegeWithdrawn',
  'aACompromise',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export const KEY_USAGES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

/** Named extended key usages; any dotted OID is accepted as well. */
export const EXTENDED_KEY_USAGES = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
} as const;

/** Subject (or issuer) distinguished name fields, in the order they are encoded. */
export interface NameFields {
  commonName?: string;
  organization?: string;
  organizationalUnit?: string;
  country?: string;
  state?: string;
  locality?: string;
  emailAddress?: string;
  serialNumber?: string;
}

export interface SubjectAltNames {
  dns?: string[];
  ip?: string[];
  email?: string[];
  uri?: string[];
}

export interface NameConstraints {
  permittedDns?: string[];
  excludedDns?: string[];
  permittedIp?: string[]; // CIDR, e.g. 10.0.0.0/8
  excludedIp?: string[];
  permittedEmail?: string[];
  excludedEmail?: string[];
}

export interface ExtraExtension {
  oid: string;
  critical?: boolean;
  /** The extension's extnValue contents (the DER inside the OCTET STRING), base64. */
  valueBase64: string;
}

/** Everything needed to build and sign one certificate. Validation of user input happens before this. */
export interface CertificateSpec {
  serial: Uint8Array; // positive, at most 20 bytes; the high bit clear
  subject: NameFields;
  publicKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  sans?: SubjectAltNames;
  keyUsages?: KeyUsage[];
  extendedKeyUsages?: string[]; // dotted OIDs
  basicConstraints?: { ca: boolean; pathLength?: number; critical?: boolean };
  nameConstraints?: NameConstraints;
  extraExtensions?: ExtraExtension[];
  signatureHash?: SignatureHash; // ignored for Ed25519
  crlDistributionPoints?: string[];
  ocspUrls?: string[];
}

/** The signer: the issuing authority's certificate (absent when self-signing) and private key. */
export interface Signer {
  certificateDer?: Uint8Array;
  privateKey: KeyObject;
}

export interface ParsedExtension {
  oid: string;
  name: string; // e.g. "keyUsage", or the OID when unknown
  critical: boolean;
  /** A readable rendering, e.g. "digitalSignature, keyEncipherment" or "CA:TRUE, pathlen:0". */
  value: string;
}

export interface ParsedCertificate {
  der: Uint8Array;
  pem: string;
  serial: string; // lower-case hex, no leading zero bytes beyond what DER keeps
  fingerprintSha256: string; // lower-case hex, no colons
  fingerprintSha1: string;
  subject: NameFields;
  subjectDn: string; // RFC 4514 string
  issuerDn: string;
  commonName?: string;
  sans: Required<SubjectAltNames>;
  notBefore: Date;
  notAfter: Date;
  keyType: string; // a KeyType, or e.g. rsa-1024 / ec-secp256k1 for foreign keys
  publicKey: KeyObject;
  signatureAlgorithm: string; // e.g. ecdsa-with-SHA256, sha256WithRSAEncryption, Ed25519
  isCa: boolean;
  pathLength?: number;
  selfSigned: boolean;
  keyUsages: KeyUsage[];
  extendedKeyUsages: string[]; // names where known, dotted OIDs otherwise
  subjectKeyIdentifier?: string; // hex
  authorityKeyIdentifier?: string; // hex
  extensions: ParsedExtension[];
}

export interface ParsedCsr {
  der: Uint8Array;
  publicKey: KeyObject;
  keyType: string;
  subject: NameFields;
  sans: Required<SubjectAltNames>;
}

export interface Pkcs12Contents {
  certificates: ParsedCertificate[]; // leaf first when a key is present: the certificate matching the key
  privateKey?: KeyObject;
}
