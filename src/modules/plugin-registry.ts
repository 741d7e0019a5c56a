// The plugins of one kind (issuers, sources, …) that this build knows, by type: each kind's registry.ts is one
// call of this, so adding a plugin is one folder and one line in that kind's builtin.ts.
import { ValidationError } from '../errors.ts';

export function createPluginRegistry<P extends { readonly type: string }>(kind: string, plugins: readonly P[]) {
  const byType = new Map(plugins.map((p) => [p.type, p]));
  return {
    /** The plugin for `type`; throws ValidationError on `field` listing the known ones. */
    get(type: string, field = 'plugin'): P {
      const plugin = byType.get(type);
      if (!plugin)
        throw new ValidationError(field, `'${type}' is not ${kind}; use one of: ${[...byType.keys()].join(', ')}`);
      return plugin;
    },
    all: (): P[] => [...byType.values()],
  };
}
