// The notification channel plugins this build knows, by type. Adding one is a folder and a line in builtin.ts.
import { createPluginRegistry } from '../plugin-instances.ts';
import type { AnyNotificationPlugin } from './plugin.ts';

export const createNotificationRegistry = (plugins: readonly AnyNotificationPlugin[]) =>
  createPluginRegistry('a notification', plugins);

export type NotificationRegistry = ReturnType<typeof createNotificationRegistry>;
