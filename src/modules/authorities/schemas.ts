// Request and response schemas of /api/v1/authorities; they validate input and generate the OpenAPI document.
import { type Static, Type } from 'typebox';
import { KEY_TYPES } from '../../crypto/types.ts';
import { StringEnum } from '../../http/schema-types.ts';

export const KeyTypeSchema = StringEnum(KEY_TYPES, {
  description: 'Key type: ec-p256, ec-p384, rsa-2048, rsa-3072, rsa-4096 or ed25519',
});

export const NameFieldsSchema = Type.Object(
  {
    commonName: Type.Optional(Type.String({ maxLength: 64 })),
    organization: Type.Optional(Type.String({ maxLength: 64 })),
    organizationalUnit: Type.Optional(Type.String({ maxLength: 64 })),
    country: Type.Optional(Type.String({ description: 'two-letter ISO 3166 code' })),
    state: Type.Optional(Type.String({ maxLength: 128 })),
    locality: Type.Optional(Type.String({ maxLength: 128 })),
    emailAddress: Type.Optional(Type.String({ maxLength: 255 })),
    serialNumber: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

const StringList = Type.Array(Type.String(), { maxItems: 200 });

export const NameConstraintsSchema = Type.Object(
  {
    permittedDns: Type.Optional(StringList),
    excludedDns: Type.Optional(StringList),
    permittedIp: Type.Optional(Type.Array(Type.String({ description: 'CIDR, e.g. 10.0.0.0/8' }), { maxItems: 200 })),
    excludedIp: Type.Optional(StringList),
    permittedEmail: Type.Optional(StringList),
    excludedEmail: Type.Optional(StringList),
  },
  { additionalProperties: false },
);

const PublishingFields = {
  publicBaseUrl: Type.Optional(
    Type.String({
      maxLength: 512,
      description:
        'http(s) base URL where this authority publishes CRLs and OCSP (e.g. http://pki.example.com); certificates then name them',
    }),
  ),
  crlValidityHours: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 24 * 90, description: 'nextUpdate - thisUpdate (default 24)' }),
  ),
  ocspSigner: Type.Optional(
    StringEnum(['ca', 'delegated'], { description: 'who signs OCSP answers (default delegated)' }),
  ),
};

export const CreateAuthorityBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128, description: 'Unique name, e.g. "Acme Internal Root"' }),
    type: StringEnum(['root', 'intermediate']),
    parentId: Type.Optional(Type.Integer({ minimum: 1, description: 'The signing authority (intermediates only)' })),
    subject: Type.Intersect([
      NameFieldsSchema,
      Type.Object({ commonName: Type.String({ minLength: 1, maxLength: 64 }) }),
    ]),
    keyType: Type.Optional(KeyTypeSchema),
    validityDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 36500 })),
    pathLength: Type.Optional(Type.Integer({ minimum: 0, maximum: 16 })),
    nameConstraints: Type.Optional(NameConstraintsSchema),
    owner: Type.Optional(Type.String({ maxLength: 255 })),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    maxCertificateValidityDays: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 36500,
        description: 'Longest validity of certificates it issues (default 397)',
      }),
    ),
    allowedKeyTypes: Type.Optional(Type.Array(KeyTypeSchema)),
    allowCaCertificates: Type.Optional(Type.Boolean()),
    allowedRoles: Type.Optional(
      Type.Array(Type.String({ maxLength: 64 }), {
        maxItems: 100,
        description: 'only these roles (and admins) may issue',
      }),
    ),
    unregisteredNames: Type.Optional(
      StringEnum(['allow', 'approve', 'deny'], {
        description: 'names outside every registered domain (default allow)',
      }),
    ),
    crlShards: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 256, description: 'CRL partitions, fixed at creation (default 1)' }),
    ),
    ...PublishingFields,
  },
  { additionalProperties: false },
);
export type CreateAuthorityInput = Static<typeof CreateAuthorityBody>;

export const UpdateAuthorityBody = Type.Object(
  {
    owner: Type.Optional(Type.String({ maxLength: 255 })),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    ...PublishingFields,
  },
  { additionalProperties: false },
);
export type UpdateAuthorityInput = Static<typeof UpdateAuthorityBody>;

export const AuthoritySchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  type: Type.String(),
  parentId: Type.Union([Type.Integer(), Type.Null()]),
  owner: Type.Union([Type.String(), Type.Null()]),
  description: Type.Union([Type.String(), Type.Null()]),
  keyType: Type.String(),
  subjectDn: Type.String(),
  serial: Type.String(),
  fingerprintSha256: Type.String(),
  notBefore: Type.String({ format: 'date-time' }),
  notAfter: Type.String({ format: 'date-time' }),
  pathLength: Type.Union([Type.Integer(), Type.Null()]),
  policy: Type.Object({
    maxValidityDays: Type.Integer(),
    allowedKeyTypes: Type.Optional(Type.Array(Type.String())),
    allowCaCertificates: Type.Optional(Type.Boolean()),
    allowedRoles: Type.Optional(Type.Array(Type.String())),
    unregisteredNames: Type.Optional(Type.String()),
    nameConstraints: Type.Optional(NameConstraintsSchema),
  }),
  pem: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  publicBaseUrl: Type.Union([Type.String(), Type.Null()]),
  crlShards: Type.Integer(),
  crlValidityHours: Type.Integer(),
  ocspSigner: Type.String(),
  crlUrls: Type.Array(Type.String(), { description: 'where the CRL (or each shard) is published' }),
  ocspUrl: Type.Union([Type.String(), Type.Null()]),
});

export const ExtensionSchema = Type.Object({
  oid: Type.String(),
  name: Type.String(),
  critical: Type.Boolean(),
  value: Type.String(),
});

export const AuthorityDetailSchema = Type.Intersect([
  AuthoritySchema,
  Type.Object({
    subject: NameFieldsSchema,
    extensions: Type.Array(ExtensionSchema),
    chainIds: Type.Array(Type.Integer()),
  }),
]);

export const AuthorityListSchema = Type.Object({ items: Type.Array(AuthoritySchema) });
export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
