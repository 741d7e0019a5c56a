// Request and response schemas of /api/v1/notifications.
import { type Static, Type } from 'typebox';
import { StringEnum } from '../../http/schema-types.ts';
import { NOTIFICATION_EVENTS } from './messages.ts';

const Settings = (description: string) => Type.Record(Type.String(), Type.Unknown(), { description });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Event = StringEnum(NOTIFICATION_EVENTS);

export const CreateChannelBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
    plugin: Type.String({ description: 'email, slack or webhook (GET /api/v1/notifications/plugins)' }),
    options: Type.Optional(Settings("the plugin's settings")),
    secrets: Type.Optional(Settings('credentials (SMTP password, webhook URL, signing key): sealed, never returned')),
    owners: Type.Optional(Type.Boolean({ description: 'reach certificate owners through this channel' })),
  },
  { additionalProperties: false },
);
export type CreateChannelInput = Static<typeof CreateChannelBody>;

export const ChannelSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  plugin: Type.String(),
  options: Settings('the non-secret settings'),
  secretsSet: Type.Array(Type.String(), { description: 'names of the secrets that are set (never their values)' }),
  owners: Type.Boolean(),
  createdAt: Type.String(),
  createdBy: Nullable(Type.String()),
});
export const ChannelList = Type.Object({ items: Type.Array(ChannelSchema) });

export const CreateRuleBody = Type.Object(
  {
    channelId: Type.Integer({ minimum: 1 }),
    match: StringEnum(['all', 'owner', 'authority', 'label'] as const, {
      description: 'all certificates, or those of one owner, one authority (id) or with one label (key=value)',
    }),
    value: Type.Optional(Type.String({ maxLength: 255 })),
    recipient: Type.Optional(Type.String({ maxLength: 255, description: 'e-mail address (for e-mail channels)' })),
    events: Type.Array(Event, { minItems: 1, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type CreateRuleInput = Static<typeof CreateRuleBody>;

export const RuleSchema = Type.Object({
  id: Type.Integer(),
  channelId: Type.Integer(),
  match: Type.String(),
  value: Type.String(),
  recipient: Type.String(),
  events: Type.Array(Type.String()),
  createdAt: Type.String(),
});
export const RuleList = Type.Object({ items: Type.Array(RuleSchema) });

export const TestBody = Type.Object(
  { recipient: Type.Optional(Type.String({ maxLength: 255, description: 'e-mail address (e-mail channels)' })) },
  { additionalProperties: false },
);

export const DeliverySchema = Type.Object({
  id: Type.Integer(),
  channelId: Type.Integer(),
  recipient: Type.String(),
  event: Type.String(),
  subject: Type.String(),
  text: Type.String(),
  status: StringEnum(['pending', 'sent', 'failed'] as const),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  nextAttemptAt: Nullable(Type.String()),
  createdAt: Type.String(),
  sentAt: Nullable(Type.String()),
});
export const DeliveryList = Type.Object({ items: Type.Array(DeliverySchema) });
export const DeliveryQuery = Type.Object(
  {
    status: Type.Optional(StringEnum(['pending', 'sent', 'failed'] as const)),
    event: Type.Optional(Event),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export const PluginList = Type.Object({
  items: Type.Array(
    Type.Object({
      type: Type.String(),
      description: Type.String(),
      addressed: Type.Boolean(),
      options: Type.Unknown(),
      secrets: Type.Unknown(),
    }),
  ),
});
