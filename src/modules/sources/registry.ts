// The source plugins this build knows, by type. Adding a source is one folder and one line in builtin.ts.
import { ValidationError } from '../../errors.ts';
import type { SourcePlugin } from './plugin.ts';

// biome-ignore lint/suspicious/noExplicitAny: each plugin has its own option types; the registry only routes.
export type AnySourcePlugin = SourcePlugin<any, any>;

export function createSourceRegistry(plugins: readonly AnySourcePlugin[]) {
  const byType = new Map(plugins.map((p) => [p.type, p]));
  return {
    /** The plugin for `type`; throws ValidationError listing the known ones. */
    get(type: string, field = 'plugin'): AnySourcePlugin {
      const plugin = byType.get(type);
      if (!plugin)
        throw new ValidationError(
          field,
          `'${type}' is not a source plugin; use one of: ${[...byType.keys()].join(', ')}`,
        );
      return plugin;
    },
    all: (): AnySourcePlugin[] => [...byType.values()],
  };
}

export type SourceRegistry = ReturnType<typeof createSourceRegistry>;
