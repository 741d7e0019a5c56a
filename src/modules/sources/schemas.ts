// Request and response schemas of /api/v1/sources and their runs.
import { type Static, Type } from 'typebox';
import { StringEnum } from '../../http/schema-types.ts';
import { instanceBodies, instanceViewFields, pluginDescriptionFields } from '../plugin-instances.ts';

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(t: T) =>
  Type.Union([t, Type.Null()]);

const bodies = instanceBodies({
  name: 'dmz-web',
  plugin: 'the source plugin: see GET /api/v1/sources/plugins (tls, directory)',
  secrets: 'PKCS#12 passwords',
});
export const CreateSourceBody = bodies.create;
export type CreateSourceInput = Static<typeof CreateSourceBody>;
export const UpdateSourceBody = bodies.update;
export type UpdateSourceInput = Static<typeof UpdateSourceBody>;

export const RUN_STATUSES = ['running', 'finished', 'failed'] as const;

export const RunSchema = Type.Object({
  id: Type.Integer(),
  sourceId: Type.Integer(),
  status: StringEnum(RUN_STATUSES),
  itemsTotal: Nullable(Type.Integer({ description: 'items the plugin announced; null until known' })),
  itemsDone: Type.Integer(),
  itemsFailed: Type.Integer(),
  certificatesNew: Type.Integer(),
  endpointsGone: Type.Integer(),
  error: Nullable(Type.String({ description: 'why the whole run failed (item failures are in the items)' })),
  startedAt: Type.String(),
  startedBy: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
});
export const RunList = Type.Object({ items: Type.Array(RunSchema) });

export const SourceSchema = Type.Object({
  ...instanceViewFields,
  lastRun: Type.Union([RunSchema, Type.Null()]),
  createdAt: Type.String(),
  createdBy: Nullable(Type.String()),
});
export const SourceList = Type.Object({ items: Type.Array(SourceSchema) });

export const SourcePluginList = Type.Object({
  items: Type.Array(Type.Object(pluginDescriptionFields)),
});

export const RunBody = Type.Object(
  { wait: Type.Optional(Type.Boolean({ description: 'answer when the run has finished (default: at once, 202)' })) },
  { additionalProperties: false },
);

export const ITEM_STATUSES = ['ok', 'error', 'skipped'] as const;
export const RunItemSchema = Type.Object({
  id: Type.Integer(),
  target: Type.String({ description: 'what was scanned: host:port (SNI name) or a file' }),
  status: StringEnum(ITEM_STATUSES),
  message: Nullable(Type.String({ description: 'why it failed or was skipped' })),
  certificateId: Nullable(Type.Integer()),
  endpointId: Nullable(Type.Integer()),
  isNew: Type.Boolean({ description: 'the certificate was not in the inventory before' }),
  change: Nullable(Type.String({ description: 'new, same or changed: the endpoint compared with before' })),
  problems: Type.Array(Type.String()),
  at: Type.String(),
});
export const RunItemList = Type.Object({ items: Type.Array(RunItemSchema), next: Nullable(Type.String()) });
export const RunItemQuery = Type.Object(
  {
    status: Type.Optional(StringEnum(ITEM_STATUSES)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,12}$' })),
  },
  { additionalProperties: false },
);
export const RunListQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) },
  { additionalProperties: false },
);
