// Request and response schemas of /api/v1/destinations and of deployments.
import { type Static, Type } from 'typebox';
import { StringEnum } from '../../http/schema-types.ts';

const Settings = (description: string) => Type.Record(Type.String(), Type.Unknown(), { description });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const CreateDestinationBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, description: 'unique name, e.g. web1-nginx' }),
    plugin: Type.String({ description: 'directory, sftp or webhook: see GET /api/v1/destinations/plugins' }),
    options: Type.Optional(Settings("the plugin's settings, validated against its options schema")),
    secrets: Type.Optional(
      Settings('credentials (SSH password or key, HMAC secret): stored encrypted, never returned'),
    ),
    owner: Type.Optional(Type.String({ maxLength: 255 })),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type CreateDestinationInput = Static<typeof CreateDestinationBody>;

export const UpdateDestinationBody = Type.Object(
  {
    options: Type.Optional(Settings('settings to change; the others stay; null removes one')),
    secrets: Type.Optional(Settings('credentials to replace; the others stay; null removes one')),
    owner: Type.Optional(Type.String({ maxLength: 255 })),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type UpdateDestinationInput = Static<typeof UpdateDestinationBody>;

export const DestinationSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  plugin: Type.String(),
  options: Settings('the non-secret settings'),
  secretsSet: Type.Array(Type.String(), { description: 'names of the secrets that are set (never their values)' }),
  owner: Nullable(Type.String()),
  description: Nullable(Type.String()),
  createdAt: Type.String(),
  createdBy: Nullable(Type.String()),
  updatedAt: Type.String(),
});
export const DestinationList = Type.Object({ items: Type.Array(DestinationSchema) });

const JsonSchema = Type.Record(Type.String(), Type.Unknown(), { description: 'a JSON Schema' });
export const DestinationPluginList = Type.Object({
  items: Type.Array(
    Type.Object({
      type: Type.String(),
      title: Type.String(),
      description: Type.String(),
      options: JsonSchema,
      secrets: JsonSchema,
    }),
  ),
});

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

export const KeyLinkParams = Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{20,100}$' }) });
