// A registry of plugins of one kind (issuers, notification channels, …) by type: lookups fail with a message
// that lists the types this build knows, the same way for every kind.
import { ValidationError } from '../errors.ts';

export function createPluginRegistry<P extends { readonly type: string }>(kind: string, plugins: readonly P[]) {
  const byType = new Map(plugins.map((p) => [p.type, p]));
  return {
    /** The plugin for `type`; throws ValidationError listing the known ones. */
    get(type: string, field = 'plugin'): P {
      const plugin = byType.get(type);
      if (!plugin)
        throw new ValidationError(field, `'${type}' is not ${kind}; use one of: ${[...byType.keys()].join(', ')}`);
      return plugin;
    },
    all: (): P[] => [...byType.values()],
  };
}
