// The issuer plugins this build knows, by type. Adding an issuer is one folder and one line in builtin.ts.
import { ValidationError } from '../../errors.ts';
import type { IssuerPlugin } from './plugin.ts';

// biome-ignore lint/suspicious/noExplicitAny: each plugin has its own option types; the registry only routes.
export type AnyIssuerPlugin = IssuerPlugin<any, any>;

export function createIssuerRegistry(plugins: readonly AnyIssuerPlugin[]) {
  const byType = new Map(plugins.map((p) => [p.type, p]));
  return {
    /** The plugin for `type`; throws ValidationError listing the known ones. */
    get(type: string, field = 'plugin'): AnyIssuerPlugin {
      const plugin = byType.get(type);
      if (!plugin)
        throw new ValidationError(
          field,
          `'${type}' is not an issuer plugin; use one of: ${[...byType.keys()].join(', ')}`,
        );
      return plugin;
    },
    all: (): AnyIssuerPlugin[] => [...byType.values()],
  };
}

export type IssuerRegistry = ReturnType<typeof createIssuerRegistry>;
