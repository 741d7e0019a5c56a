// The destination plugins this build knows, by type. Adding one is a folder and a line in builtin.ts.
import { ValidationError } from '../../errors.ts';
import type { AnyDestinationPlugin } from './plugin.ts';

export function createDestinationRegistry(plugins: readonly AnyDestinationPlugin[]) {
  const byType = new Map(plugins.map((p) => [p.type, p]));
  return {
    /** The plugin for `type`; throws ValidationError listing the known ones. */
    get(type: string, field = 'plugin'): AnyDestinationPlugin {
      const plugin = byType.get(type);
      if (!plugin)
        throw new ValidationError(
          field,
          `'${type}' is not a destination plugin; use one of: ${[...byType.keys()].join(', ')}`,
        );
      return plugin;
    },
    all: (): AnyDestinationPlugin[] => [...byType.values()],
  };
}

export type DestinationRegistry = ReturnType<typeof createDestinationRegistry>;
