// What every kind of configured plugin (issuers, destinations, and later sources and notifications) shares: a
// registry by type, the rule for instance names, settings whose secrets are sealed like private keys, and the
// request bodies that create and change them. One copy here keeps the kinds behaving alike.

import type { TSchema } from 'typebox';
import { Type } from 'typebox';
import type { Db } from '../db/index.ts';
import { ValidationError } from '../errors.ts';
import type { KeyService } from './keys/service.ts';
import { checkPluginSettings } from './plugin-options.ts';

/** Plugins of one kind by type; `get` throws ValidationError listing the known ones. */
export function createPluginRegistry<P extends { type: string }>(kind: string, plugins: readonly P[]) {
  const byType = new Map(plugins.map((p) => [p.type, p]));
  return {
    get(type: string, field = 'plugin'): P {
      const plugin = byType.get(type);
      if (!plugin)
        throw new ValidationError(
          field,
          `'${type}' is not ${kind} plugin; use one of: ${[...byType.keys()].join(', ')}`,
        );
      return plugin;
    },
    all: (): P[] => [...byType.values()],
  };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Throws ValidationError on `name` unless it is 1–64 letters, digits, dots, dashes or underscores. */
export function checkInstanceName(name: string): void {
  if (!NAME.test(name))
    throw new ValidationError(
      'name',
      'use 1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit',
    );
}

export interface PluginConfig {
  options: Record<string, unknown>;
  secrets: Record<string, unknown>;
}

/** Reads an instance's options and opens its sealed secrets (kind `issuer`, `destination`, …). */
export function sealedSettings(db: Db, keys: Pick<KeyService, 'loadSecret'>, kind: string) {
  async function configOf(r: { options: string; secrets_id: number | null }): Promise<PluginConfig> {
    const secrets = r.secrets_id === null ? {} : await keys.loadSecret(db, r.secrets_id, kind);
    return { options: JSON.parse(r.options), secrets };
  }
  return {
    configOf,
    /** Names of the secrets set, sorted: what the API may show of them. */
    secretNames: async (r: { options: string; secrets_id: number | null }) =>
      Object.keys((await configOf(r)).secrets).sort(),
  };
}

/** The fields a change names, for its audit event: option names and `secrets.<name>` (never values). */
export const changedFields = (input: { options?: Record<string, unknown>; secrets?: Record<string, unknown> }) => [
  ...Object.keys(input.options ?? {}),
  ...Object.keys(input.secrets ?? {}).map((k) => `secrets.${k}`),
];

const Settings = (description: string) => Type.Record(Type.String(), Type.Unknown(), { description });

/** The bodies that create and change an instance; `hints` are the kind's own examples for the descriptions. */
export function instanceBodies(hints: { name: string; plugin: string; secrets: string }) {
  const common = {
    owner: Type.Optional(Type.String({ maxLength: 255 })),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
  };
  return {
    create: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 64, description: `unique name, e.g. ${hints.name}` }),
        plugin: Type.String({ description: hints.plugin }),
        options: Type.Optional(Settings("the plugin's settings, validated against its options schema")),
        secrets: Type.Optional(Settings(`credentials (${hints.secrets}): stored encrypted, never returned`)),
        ...common,
      },
      { additionalProperties: false },
    ),
    update: Type.Object(
      {
        options: Type.Optional(Settings('settings to change; the others stay')),
        secrets: Type.Optional(Settings('credentials to replace; the others stay')),
        ...common,
      },
      { additionalProperties: false },
    ),
  };
}

/** The fields every instance shows: its settings, and of its secrets only the names. */
export const instanceViewFields = {
  id: Type.Integer(),
  name: Type.String(),
  plugin: Type.String(),
  options: Settings('the non-secret settings'),
  secretsSet: Type.Array(Type.String(), { description: 'names of the secrets that are set (never their values)' }),
  owner: Type.Union([Type.String(), Type.Null()]),
  description: Type.Union([Type.String(), Type.Null()]),
};

/** A plugin as GET …/plugins lists it: its texts and the JSON Schemas of its settings. */
export const describePlugin = (p: {
  type: string;
  title: string;
  description: string;
  options: object;
  secrets: object;
}) => ({
  type: p.type,
  title: p.title,
  description: p.description,
  options: p.options as Record<string, unknown>,
  secrets: p.secrets as Record<string, unknown>,
});

export const JsonSchema = Type.Record(Type.String(), Type.Unknown(), { description: 'a JSON Schema' });

/** What GET …/plugins shows of every plugin; a kind adds its own abilities. */
export const pluginDescriptionFields = {
  type: Type.String(),
  title: Type.String(),
  description: Type.String(),
  options: JsonSchema,
  secrets: JsonSchema,
};

/** Checks options and secrets against the plugin's schemas; throws ValidationError naming the field. */
export const checkedSettings = (
  plugin: { options: TSchema; secrets: TSchema },
  options: unknown,
  secrets: unknown,
): PluginConfig => ({
  options: checkPluginSettings(plugin.options, options, 'options'),
  secrets: checkPluginSettings(plugin.secrets, secrets, 'secrets'),
});

/** Current settings with a change applied: given values replace, `null` removes. */
export function mergeSettings(
  current: PluginConfig,
  change: { options?: Record<string, unknown>; secrets?: Record<string, unknown> },
) {
  const merge = (a: Record<string, unknown>, b: Record<string, unknown> = {}) =>
    Object.fromEntries(Object.entries({ ...a, ...b }).filter(([, v]) => v !== null));
  return { options: merge(current.options, change.options), secrets: merge(current.secrets, change.secrets) };
}

type Meta = { name: string; owner?: string; description?: string };

/** The columns every new instance row has. */
export const newInstanceColumns = (
  input: Meta,
  plugin: string,
  config: PluginConfig,
  secretsId: number,
  actor: string,
  now: string,
) => ({
  name: input.name,
  plugin,
  options: JSON.stringify(config.options),
  secrets_id: secretsId,
  owner: input.owner ?? null,
  description: input.description ?? null,
  created_at: now,
  created_by: actor,
  updated_at: now,
});

/** The columns a change of an instance writes (owner and description only when given). */
export const changedInstanceColumns = (
  input: Omit<Meta, 'name'>,
  config: PluginConfig,
  secretsId: number,
  now: string,
) => ({
  options: JSON.stringify(config.options),
  secrets_id: secretsId,
  ...(input.owner !== undefined ? { owner: input.owner } : {}),
  ...(input.description !== undefined ? { description: input.description } : {}),
  updated_at: now,
});
