// The ACME issuer's settings as TypeBox schemas: non-secret `options` (shown by the API, rendered by the UI and
// CLI from the descriptions), `secrets` (stored encrypted: the account key, the EAB HMAC key, DNS credentials) and
// the per-certificate `requestOptions`. The DNS provider is a tagged union on `type` so each provider only shows
// its own fields; its credentials live in `secrets` under provider-specific names.
import { type Static, Type } from 'typebox';

/** Unknown keys are refused, so a typo in a setting is reported instead of silently ignored. */
const closed = { additionalProperties: false } as const;

const propagationSeconds = Type.Optional(
  Type.Integer({
    minimum: 0,
    maximum: 3600,
    description:
      'Seconds to wait after writing the TXT record before asking the CA to validate, so that every ' +
      'authoritative server has it (default: 0 for rfc2136, 15 for cloudflare, 60 for route53)',
  }),
);

export const Rfc2136Settings = Type.Object(
  {
    type: Type.Literal('rfc2136', { description: 'Dynamic DNS update (RFC 2136) signed with TSIG, e.g. to BIND' }),
    server: Type.String({ minLength: 1, description: 'Primary name server host name or IP address, e.g. 192.0.2.53' }),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'Name server port (default 53)' })),
    zone: Type.String({ minLength: 1, description: 'Zone the _acme-challenge records are added to, e.g. example.com' }),
    tsigKeyName: Type.String({ minLength: 1, description: 'Name of the TSIG key the server accepts updates from' }),
    tsigAlgorithm: Type.Optional(
      Type.Union([Type.Literal('hmac-sha256'), Type.Literal('hmac-sha512')], {
        description: 'TSIG algorithm (default hmac-sha256); the key itself is the secret tsigSecret',
      }),
    ),
    propagationSeconds,
  },
  closed,
);

export const CloudflareSettings = Type.Object(
  {
    type: Type.Literal('cloudflare', { description: 'Cloudflare DNS (API v4, API token with Zone.DNS edit)' }),
    zoneId: Type.String({ minLength: 1, description: 'Cloudflare zone ID (Overview page of the zone)' }),
    apiBaseUrl: Type.Optional(
      Type.String({ description: 'API base URL (default https://api.cloudflare.com/client/v4)', format: 'uri' }),
    ),
    propagationSeconds,
  },
  closed,
);

export const Route53Settings = Type.Object(
  {
    type: Type.Literal('route53', { description: 'Amazon Route 53 (ChangeResourceRecordSets, AWS Signature V4)' }),
    hostedZoneId: Type.String({ minLength: 1, description: 'Hosted zone ID, e.g. Z0123456789ABCDEFGHIJ' }),
    region: Type.Optional(Type.String({ description: 'Signing region (default us-east-1, where Route 53 lives)' })),
    apiBaseUrl: Type.Optional(
      Type.String({ description: 'API base URL (default https://route53.amazonaws.com)', format: 'uri' }),
    ),
    propagationSeconds,
  },
  closed,
);

export const DnsProviderSettings = Type.Union([Rfc2136Settings, CloudflareSettings, Route53Settings], {
  description: 'Where DNS-01 TXT records are written (required when challenge is dns-01)',
});

export const AcmeOptionsSchema = Type.Object(
  {
    directoryUrl: Type.String({
      format: 'uri',
      description:
        "ACME directory URL. Let's Encrypt: https://acme-v02.api.letsencrypt.org/directory (production), " +
        'https://acme-staging-v02.api.letsencrypt.org/directory (staging, for trials)',
    }),
    email: Type.Optional(
      Type.String({ maxLength: 254, description: 'Contact e-mail registered with the account (expiry notices)' }),
    ),
    termsOfServiceAgreed: Type.Boolean({ description: "You agree to the CA's terms of service (must be true)" }),
    challenge: Type.Optional(
      Type.Union([Type.Literal('http-01'), Type.Literal('dns-01')], {
        description:
          'How names are proven: http-01 (Tarsier answers /.well-known/acme-challenge/ on port 80) or dns-01 ' +
          '(a TXT record through dnsProvider; needed for wildcards). Default http-01',
      }),
    ),
    dnsProvider: Type.Optional(DnsProviderSettings),
    http01DestinationId: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          'http-01 for names served elsewhere: the token is written as .well-known/acme-challenge/<token> under this ' +
          "destination's webRoot (a directory or SFTP destination) and removed afterwards",
      }),
    ),
    eabKeyId: Type.Optional(
      Type.String({
        description: 'External account binding key ID, for CAs that require one (with secret eabHmacKey)',
      }),
    ),
    caCertificates: Type.Optional(
      Type.String({
        description:
          "PEM certificates to trust, besides the system's, for the TLS connection to the ACME server (private CAs)",
      }),
    ),
    accountUrl: Type.Optional(
      Type.String({ description: 'ACME account URL (filled in when the issuer is validated; leave empty)' }),
    ),
  },
  closed,
);

export const AcmeSecretsSchema = Type.Object(
  {
    accountKeyPem: Type.Optional(
      Type.String({ description: 'ACME account private key, PEM (generated when the issuer is validated if empty)' }),
    ),
    eabHmacKey: Type.Optional(
      Type.String({ description: 'External account binding HMAC key, base64url, as given by the CA with eabKeyId' }),
    ),
    tsigSecret: Type.Optional(Type.String({ description: 'rfc2136: TSIG key, base64 (the secret of the BIND key)' })),
    cloudflareApiToken: Type.Optional(Type.String({ description: 'cloudflare: API token with Zone.DNS edit' })),
    awsAccessKeyId: Type.Optional(Type.String({ description: 'route53: AWS access key ID' })),
    awsSecretAccessKey: Type.Optional(Type.String({ description: 'route53: AWS secret access key' })),
    awsSessionToken: Type.Optional(Type.String({ description: 'route53: AWS session token (temporary credentials)' })),
  },
  closed,
);

export const AcmeRequestOptionsSchema = Type.Object(
  {
    profile: Type.Optional(
      Type.String({
        description:
          "ACME certificate profile, when the CA offers profiles (Let's Encrypt: classic, tlsserver, shortlived)",
      }),
    ),
  },
  closed,
);

export type AcmeOptions = Static<typeof AcmeOptionsSchema>;
export type AcmeSecrets = Static<typeof AcmeSecretsSchema>;
export type DnsProviderOptions = Static<typeof DnsProviderSettings>;
