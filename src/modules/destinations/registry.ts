// The destination plugins this build knows, by type. Adding one is a folder and a line in builtin.ts.
import { createPluginRegistry } from '../plugin-instances.ts';
import type { AnyDestinationPlugin } from './plugin.ts';

export const createDestinationRegistry = (plugins: readonly AnyDestinationPlugin[]) =>
  createPluginRegistry('a destination', plugins);

export type DestinationRegistry = ReturnType<typeof createDestinationRegistry>;
