// The notification channels built into Tarsier. Adding one is a folder beside this file and a line here.
import { emailChannel } from './email/index.ts';
import type { AnyNotificationPlugin } from './plugin.ts';
import { slackChannel } from './slack/index.ts';
import { webhookChannel } from './webhook/index.ts';

export const builtinNotificationPlugins: readonly AnyNotificationPlugin[] = [
  emailChannel,
  slackChannel,
  webhookChannel,
];
