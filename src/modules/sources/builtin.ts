// The source plugins built into Tarsier. Adding one is a folder beside this file and a line here.
import { directorySource } from './directory/index.ts';
import type { AnySourcePlugin } from './registry.ts';
import { sftpSource } from './sftp/index.ts';
import { tlsSource } from './tls/index.ts';

export const builtinSourcePlugins: readonly AnySourcePlugin[] = [tlsSource, directorySource, sftpSource];
