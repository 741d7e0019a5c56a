// The issuer plugins this build knows, by type. Adding an issuer is one folder and one line in builtin.ts.
import { createPluginRegistry } from '../plugin-registry.ts';
import type { IssuerPlugin } from './plugin.ts';

// biome-ignore lint/suspicious/noExplicitAny: each plugin has its own option types; the registry only routes.
export type AnyIssuerPlugin = IssuerPlugin<any, any>;

export const createIssuerRegistry = (plugins: readonly AnyIssuerPlugin[]) =>
  createPluginRegistry('an issuer plugin', plugins);

export type IssuerRegistry = ReturnType<typeof createIssuerRegistry>;
