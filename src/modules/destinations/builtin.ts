// The destination plugins built into Tarsier. Adding one is a folder beside this file and a line here.
import { directoryDestination } from './directory/index.ts';
import type { AnyDestinationPlugin } from './plugin.ts';
import { sftpDestination } from './sftp/index.ts';
import { webhookDestination } from './webhook/index.ts';

export const builtinDestinationPlugins: readonly AnyDestinationPlugin[] = [
  directoryDestination,
  sftpDestination,
  webhookDestination,
];
