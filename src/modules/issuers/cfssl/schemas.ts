// What an administrator configures for a CFSSL issuer: the TypeBox schemas the API validates and the UI and CLI
// render (each field carries its description), and the types the plugin reads them as. The auth key is a secret
// (stored encrypted, never shown); everything else is an option.
import { type Static, Type } from 'typebox';

export const CfsslOptionsSchema = Type.Object(
  {
    url: Type.String({
      pattern: '^https?://[^\\s]+$',
      maxLength: 2048,
      description:
        'Base URL of the `cfssl serve` (or multirootca) API, without /api/v1, e.g. https://cfssl.example.com:8888',
    }),
    profile: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: 'Signing profile of the CFSSL configuration to sign with; empty means its default profile',
      }),
    ),
    label: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: 'Signer label, for a multirootca server holding several CAs; `cfssl serve` ignores it',
      }),
    ),
    caCertificates: Type.Optional(
      Type.String({
        maxLength: 65_536,
        description: 'PEM certificates to trust for an https URL, when its server certificate is not publicly trusted',
      }),
    ),
    timeoutSeconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 300,
        description: 'How long to wait for each answer from CFSSL (default 30 seconds)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const CfsslSecretsSchema = Type.Object(
  {
    authKey: Type.Optional(
      Type.String({
        pattern: '^[0-9a-fA-F]+$',
        maxLength: 1024,
        description:
          'Hex key of the profile\'s "standard" auth_key in the CFSSL configuration; when set, requests go to ' +
          '/api/v1/cfssl/authsign with an HMAC-SHA256 token',
      }),
    ),
  },
  { additionalProperties: false },
);

export const CfsslRequestOptionsSchema = Type.Object(
  {
    profile: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: "Signing profile for this certificate instead of the issuer's profile",
      }),
    ),
  },
  { additionalProperties: false },
);

export type CfsslOptions = Static<typeof CfsslOptionsSchema>;
export type CfsslSecrets = Static<typeof CfsslSecretsSchema>;
export type CfsslRequestOptions = Static<typeof CfsslRequestOptionsSchema>;
