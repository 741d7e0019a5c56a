// Request and response schemas of /api/v1/certificates; they validate input and generate the OpenAPI document.
import { type Static, Type } from 'typebox';
import { REVOCATION_REASONS } from '../../crypto/crl.ts';
import { KEY_USAGES, SIGNATURE_HASHES } from '../../crypto/types.ts';
import { StringEnum } from '../../http/schema-types.ts';
import { ExtensionSchema, KeyTypeSchema, NameFieldsSchema } from '../authorities/schemas.ts';

const Names = (description: string) =>
  Type.Optional(Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 500, description }));

export const SansSchema = Type.Object(
  {
    dns: Names('DNS names; a wildcard only as the whole leftmost label (*.example.com)'),
    ip: Names('IPv4 or IPv6 addresses'),
    email: Names('e-mail addresses (rfc822Name)'),
    uri: Names('absolute URIs, e.g. spiffe://example.org/app'),
  },
  { additionalProperties: false },
);

const Labels = Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.:/-]{1,64}$' }), Type.String({ maxLength: 256 }), {
  description: 'free-form key/value labels, e.g. {"team": "payments"}',
});

const MetadataFields = {
  owner: Type.Optional(Type.String({ maxLength: 255, description: 'a team or an e-mail address' })),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  labels: Type.Optional(Labels),
  notify: Type.Optional(Type.Boolean({ description: 'send expiry notifications (default true)' })),
};

export const IssueBody = Type.Object(
  {
    authorityId: Type.Optional(
      Type.Integer({ minimum: 1, description: 'a Tarsier authority to sign it (give this or issuerId)' }),
    ),
    issuerId: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'an external issuer (ACME, CFSSL, …) to ask (give this or authorityId)',
      }),
    ),
    issuerOptions: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: "the external issuer's per-certificate options (its plugin's requestOptions schema)",
      }),
    ),
    commonName: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'also added to the SANs (default)' }),
    ),
    subject: Type.Optional(NameFieldsSchema),
    sans: Type.Optional(SansSchema),
    keyType: Type.Optional(KeyTypeSchema),
    csr: Type.Optional(
      Type.String({ maxLength: 65536, description: 'PEM CSR; its key is certified and Tarsier stores no key' }),
    ),
    validityDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 36500 })),
    notBefore: Type.Optional(Type.String({ format: 'date-time' })),
    notAfter: Type.Optional(Type.String({ format: 'date-time' })),
    keyUsages: Type.Optional(Type.Array(StringEnum(KEY_USAGES), { maxItems: 9 })),
    extendedKeyUsages: Type.Optional(
      Type.Array(
        Type.String({
          description: 'serverAuth, clientAuth, codeSigning, emailProtection, timeStamping, ocspSigning or an OID',
        }),
        {
          maxItems: 32,
        },
      ),
    ),
    signatureHash: Type.Optional(StringEnum(SIGNATURE_HASHES)),
    basicConstraints: Type.Optional(
      Type.Object(
        { ca: Type.Boolean(), pathLength: Type.Optional(Type.Integer({ minimum: 0, maximum: 16 })) },
        { additionalProperties: false },
      ),
    ),
    extraExtensions: Type.Optional(
      Type.Array(
        Type.Object(
          {
            oid: Type.String({ pattern: '^[0-2](\\.\\d+)+$' }),
            critical: Type.Optional(Type.Boolean()),
            valueBase64: Type.String({ description: 'DER of the extension value (inside the OCTET STRING), base64' }),
          },
          { additionalProperties: false },
        ),
        { maxItems: 20 },
      ),
    ),
    includeCommonNameInSans: Type.Optional(Type.Boolean({ description: 'default true' })),
    destinations: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1 }), {
        maxItems: 100,
        description: 'destination ids to deploy it to once issued',
      }),
    ),
    reason: Type.Optional(
      Type.String({ maxLength: 2000, description: 'why it is needed: shown to reviewers when it needs approval' }),
    ),
    ...MetadataFields,
  },
  { additionalProperties: false },
);
export type IssueInput = Static<typeof IssueBody>;

export const ImportBody = Type.Object(
  {
    pem: Type.Optional(
      Type.String({ maxLength: 1_000_000, description: 'certificate(s), PKCS#7, and/or a private key in PEM' }),
    ),
    der: Type.Optional(Type.String({ maxLength: 1_000_000, description: 'base64 DER certificate or PKCS#7' })),
    pkcs12: Type.Optional(Type.String({ maxLength: 1_000_000, description: 'base64 PKCS#12 (.p12/.pfx)' })),
    password: Type.Optional(Type.String({ maxLength: 1024, description: 'PKCS#12 or encrypted-key password' })),
    privateKey: Type.Optional(
      Type.String({ maxLength: 100_000, description: 'PEM private key matching the certificate' }),
    ),
    ...MetadataFields,
  },
  { additionalProperties: false },
);
export type ImportInput = Static<typeof ImportBody>;

export const ExportBody = Type.Object(
  {
    format: StringEnum(['pem', 'der', 'pkcs12']),
    include: Type.Optional(
      Type.Array(StringEnum(['certificate', 'chain', 'key']), {
        maxItems: 3,
      }),
    ),
    password: Type.Optional(Type.String({ maxLength: 1024, description: 'required for pkcs12' })),
  },
  { additionalProperties: false },
);
export type ExportInput = Static<typeof ExportBody>;

export const RevokeBody = Type.Object(
  { reason: Type.Optional(StringEnum(REVOCATION_REASONS)) },
  { additionalProperties: false },
);
export const RotateBody = Type.Object(
  { csr: Type.Optional(Type.String({ maxLength: 65536, description: 'a new CSR, for certificates issued from one' })) },
  { additionalProperties: false },
);
export const UpdateBody = Type.Object(MetadataFields, { additionalProperties: false });

export const SORTS = [
  'notAfter',
  '-notAfter',
  'notBefore',
  '-notBefore',
  'createdAt',
  '-createdAt',
  'commonName',
  '-commonName',
  'id',
  '-id',
] as const;
export const STATUSES = ['valid', 'expired', 'revoked', 'not-yet-valid'] as const;

export const ListQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({ maxLength: 256, description: 'substring of the common name, a SAN, the serial or a fingerprint' }),
    ),
    status: Type.Optional(StringEnum(STATUSES)),
    owner: Type.Optional(Type.String({ maxLength: 255 })),
    serial: Type.Optional(Type.String({ maxLength: 64, description: 'exact serial number, hex (colons allowed)' })),
    fingerprint: Type.Optional(
      Type.String({ maxLength: 95, description: 'exact SHA-256 or SHA-1 fingerprint, hex (colons allowed)' }),
    ),
    authorityId: Type.Optional(Type.Integer({ minimum: 1 })),
    keyType: Type.Optional(Type.String({ maxLength: 32 })),
    domain: Type.Optional(Type.String({ maxLength: 253, description: 'certificates with a name in this domain' })),
    expiringWithinDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 36500 })),
    archived: Type.Optional(StringEnum(['exclude', 'include', 'only'])),
    sort: Type.Optional(StringEnum(SORTS)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
    total: Type.Optional(Type.Boolean({ description: 'also count all matches (slower on large inventories)' })),
  },
  { additionalProperties: false },
);
export type ListInput = Static<typeof ListQuery>;

const Nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const CertificateSummary = Type.Object({
  id: Type.Integer(),
  commonName: Nullable(Type.String()),
  sans: Type.Object({
    dns: Type.Array(Type.String()),
    ip: Type.Array(Type.String()),
    email: Type.Array(Type.String()),
    uri: Type.Array(Type.String()),
  }),
  serial: Type.String(),
  fingerprintSha256: Type.String(),
  fingerprintSha1: Type.String(),
  subjectDn: Type.String(),
  issuerDn: Type.String(),
  notBefore: Type.String({ format: 'date-time' }),
  notAfter: Type.String({ format: 'date-time' }),
  keyType: Type.String(),
  signatureAlgorithm: Type.String(),
  status: Type.String({ description: 'valid, expired, revoked or not-yet-valid' }),
  authorityId: Nullable(Type.Integer()),
  issuerId: Nullable(Type.Integer({ description: 'the external issuer (ACME, CFSSL, …) it came from' })),
  origin: Type.String({ description: 'issued or imported' }),
  owner: Nullable(Type.String()),
  description: Nullable(Type.String()),
  labels: Type.Record(Type.String(), Type.String()),
  notify: Type.Boolean(),
  hasKey: Type.Boolean(),
  revokedAt: Nullable(Type.String()),
  revocationReason: Nullable(Type.String()),
  archivedAt: Nullable(Type.String()),
  replacesId: Nullable(Type.Integer()),
  replacedById: Nullable(Type.Integer()),
  createdAt: Type.String(),
  createdBy: Nullable(Type.String()),
  problems: Type.Array(Type.String()),
});

export const CertificateWithPem = Type.Intersect([
  CertificateSummary,
  Type.Object({ pem: Type.String(), chainPem: Nullable(Type.String()) }),
]);

export const CertificateDetail = Type.Intersect([
  CertificateWithPem,
  Type.Object({
    subject: Type.Record(Type.String(), Type.String()),
    isCa: Type.Boolean(),
    pathLength: Nullable(Type.Integer()),
    keyUsages: Type.Array(Type.String()),
    extendedKeyUsages: Type.Array(Type.String()),
    subjectKeyIdentifier: Nullable(Type.String()),
    authorityKeyIdentifier: Nullable(Type.String()),
    extensions: Type.Array(ExtensionSchema),
    chain: Type.Array(
      Type.Object({
        subjectDn: Type.String(),
        issuerDn: Type.String(),
        serial: Type.String(),
        notAfter: Type.String(),
        fingerprintSha256: Type.String(),
      }),
    ),
    events: Type.Array(
      Type.Object({
        at: Type.String(),
        actor: Type.String(),
        action: Type.String(),
        outcome: Type.String(),
        clientAddress: Nullable(Type.String()),
      }),
    ),
  }),
]);

export const CertificateList = Type.Object({
  items: Type.Array(CertificateSummary),
  next: Nullable(Type.String({ description: 'cursor of the next page, or null on the last' })),
  total: Type.Optional(Type.Integer()),
});
