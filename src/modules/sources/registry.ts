// The source plugins this build knows, by type. Adding a source is one folder and one line in builtin.ts.
import { createPluginRegistry } from '../plugin-instances.ts';
import type { SourcePlugin } from './plugin.ts';

// biome-ignore lint/suspicious/noExplicitAny: each plugin has its own option types; the registry only routes.
export type AnySourcePlugin = SourcePlugin<any, any>;

export const createSourceRegistry = (plugins: readonly AnySourcePlugin[]) => createPluginRegistry('a source', plugins);

export type SourceRegistry = ReturnType<typeof createSourceRegistry>;
