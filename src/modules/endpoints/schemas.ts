// Request and response schemas of /api/v1/endpoints and /api/v1/certificates/{id}/endpoints.
import { type Static, Type } from 'typebox';
import { StringEnum } from '../../http/schema-types.ts';

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(t: T) =>
  Type.Union([t, Type.Null()]);

export const ENDPOINT_KINDS = ['tls', 'file', 'destination'] as const;
export const ENDPOINT_STATUSES = ['current', 'changed', 'gone'] as const;

const EndpointFields = {
  id: Type.Integer(),
  kind: StringEnum(ENDPOINT_KINDS),
  location: Type.String({ description: 'the identity of the place, e.g. tls://127.0.0.1:8443#www.example.com' }),
  host: Nullable(Type.String()),
  port: Nullable(Type.Integer()),
  serverName: Nullable(Type.String({ description: 'the SNI name sent' })),
  path: Nullable(Type.String()),
  destinationId: Nullable(Type.Integer()),
  sourceId: Nullable(Type.Integer({ description: 'the source that saw it last' })),
  status: StringEnum(ENDPOINT_STATUSES, {
    description: 'current; changed (the last sighting showed a different certificate); gone (not seen by the last run)',
  }),
  certificateId: Nullable(Type.Integer()),
  previousCertificateId: Nullable(Type.Integer()),
  problems: Type.Array(Type.String(), { description: 'expired, not-yet-valid, self-signed, untrusted-chain, …' }),
  firstSeenAt: Type.String(),
  lastSeenAt: Type.String(),
  changedAt: Nullable(Type.String()),
  goneAt: Nullable(Type.String()),
};

export const EndpointSchema = Type.Object(EndpointFields);
export const EndpointList = Type.Object({ items: Type.Array(EndpointSchema), next: Nullable(Type.String()) });
export const EndpointDetail = Type.Object({
  ...EndpointFields,
  certificates: Type.Array(
    Type.Object({ certificateId: Type.Integer(), firstSeenAt: Type.String(), lastSeenAt: Type.String() }),
    { description: 'every certificate the endpoint has shown, oldest first' },
  ),
});
export const CertificateEndpointList = Type.Object({
  items: Type.Array(
    Type.Object({
      ...EndpointFields,
      current: Type.Boolean({ description: 'the endpoint still shows this certificate' }),
      shownFrom: Type.String(),
      shownUntil: Type.String(),
    }),
  ),
});

export const EndpointQuery = Type.Object(
  {
    status: Type.Optional(StringEnum(ENDPOINT_STATUSES)),
    kind: Type.Optional(StringEnum(ENDPOINT_KINDS)),
    sourceId: Type.Optional(Type.Integer({ minimum: 1 })),
    q: Type.Optional(Type.String({ maxLength: 200, description: 'substring of the location' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,12}$', description: '`next` of the page before' })),
  },
  { additionalProperties: false },
);
export type EndpointQueryInput = Static<typeof EndpointQuery>;
