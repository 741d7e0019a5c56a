// What an administrator configures for an `internal` issuer (which Tarsier authority signs) and what a requester
// may add per certificate: the X.509 options a Tarsier authority honours but a CSR cannot carry. They are the
// very schemas of POST /api/v1/certificates, so both ways of asking an authority accept the same values.
import { type Static, Type } from 'typebox';
import { IssueBody } from '../../certificates/schemas.ts';

export const InternalOptionsSchema = Type.Object(
  {
    authorityId: Type.Integer({
      minimum: 1,
      description: 'The Tarsier authority that signs (GET /api/v1/authorities lists them)',
    }),
  },
  { additionalProperties: false },
);

export const InternalSecretsSchema = Type.Object({}, { additionalProperties: false });

const { keyUsages, extendedKeyUsages, signatureHash, basicConstraints, extraExtensions, notBefore, notAfter } =
  IssueBody.properties;

export const InternalRequestOptionsSchema = Type.Object(
  { keyUsages, extendedKeyUsages, signatureHash, basicConstraints, extraExtensions, notBefore, notAfter },
  {
    additionalProperties: false,
    description: 'Options the authority applies as in POST /api/v1/certificates; its policy still decides',
  },
);

export type InternalOptions = Static<typeof InternalOptionsSchema>;
export type InternalSecrets = Static<typeof InternalSecretsSchema>;
export type InternalRequestOptions = Static<typeof InternalRequestOptionsSchema>;
