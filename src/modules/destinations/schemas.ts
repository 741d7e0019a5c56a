// Request and response schemas of /api/v1/destinations and of deployments.
import { type Static, Type } from 'typebox';
import { StringEnum } from '../../http/schema-types.ts';
import { instanceBodies, instanceViewFields, pluginDescriptionFields } from '../plugin-instances.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const { create: CreateDestinationBody, update: UpdateDestinationBody } = instanceBodies({
  name: 'web1-nginx',
  plugin: 'directory, sftp or webhook: see GET /api/v1/destinations/plugins',
  secrets: 'SSH password or key, HMAC secret; on change, null removes one',
});
export type CreateDestinationInput = Static<typeof CreateDestinationBody>;
export type UpdateDestinationInput = Static<typeof UpdateDestinationBody>;

export const DestinationSchema = Type.Object({
  ...instanceViewFields,
  createdAt: Type.String(),
  createdBy: Nullable(Type.String()),
  updatedAt: Type.String(),
});
export const DestinationList = Type.Object({ items: Type.Array(DestinationSchema) });

export const DestinationPluginList = Type.Object({ items: Type.Array(Type.Object(pluginDescriptionFields)) });

export const TestResult = Type.Object({
  ok: Type.Boolean(),
  message: Type.String({ description: 'what was checked, or why it failed' }),
});

export const DeploymentSchema = Type.Object({
  id: Type.Integer(),
  certificateId: Type.Integer(),
  destinationId: Type.Integer(),
  destination: Nullable(Type.String()),
  status: StringEnum(['success', 'failed'] as const),
  location: Nullable(Type.String({ description: 'the file, sftp:// URL or webhook URL' })),
  exitCode: Nullable(Type.Integer({ description: "the post-deploy command's exit status" })),
  output: Nullable(Type.String({ description: "the command's output or the receiver's reply (tail)" })),
  error: Nullable(Type.String()),
  deployedAt: Type.String(),
  deployedBy: Nullable(Type.String()),
});
export const DeploymentList = Type.Object({ items: Type.Array(DeploymentSchema) });

export const DeployedList = Type.Object({
  items: Type.Array(
    Type.Object({
      destinationId: Type.Integer(),
      destination: Type.String(),
      state: StringEnum(['current', 'other', 'missing', 'unknown'] as const, {
        description:
          'current: this certificate is there; other: another one is; missing: none is; unknown: cannot tell',
      }),
      serial: Nullable(Type.String({ description: 'serial (hex) of the certificate found there' })),
      error: Nullable(Type.String()),
    }),
  ),
});

export const DeployBody = Type.Object(
  {
    destinations: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1 }), {
        minItems: 1,
        maxItems: 100,
        description: 'destination ids; default: every destination the certificate was deployed to before',
      }),
    ),
  },
  { additionalProperties: false },
);

export const KeyLinkBody = Type.Object(
  { token: Type.String({ pattern: '^[A-Za-z0-9_-]{20,100}$', description: 'the token from the webhook' }) },
  { additionalProperties: false },
);
