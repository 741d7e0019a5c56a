// What every kind of configured plugin (issuers, destinations, and later sources and notifications) shares: a
// registry by type, the rule for instance names, settings whose secrets are sealed like private keys, and the
// request bodies that create and change them. One copy here keeps the kinds behaving alike.

import type { TSchema } from 'typebox';
import { Type } from 'typebox';
import type { Db } from '../db/index.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { type AuditService, byCaller } from './audit/service.ts';
import type { KeyService } from './keys/service.ts';
import { checkPluginSettings } from './plugin-options.ts';
import type { RequestContext } from './request-context.ts';

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

/**
 * The `check` for instanceWrites of a kind whose plugins validate synchronously and complain with the kind's
 * ConfigError (a field and a message): that complaint becomes a 400 naming the field.
 */
export const validatedBy =
  (ConfigError: abstract new (...args: never[]) => Error & { field: string }) =>
  <C>(plugin: { validate(config: C): void }, config: C): C => {
    try {
      plugin.validate(config);
    } catch (e) {
      if (e instanceof ConfigError) throw new ValidationError(e.field, e.message);
      throw e;
    }
    return config;
  };

type InstanceChange = { options?: Record<string, unknown>; secrets?: Record<string, unknown> } & Omit<Meta, 'name'>;

/**
 * Create and update as every kind does them: name rule and clash, plugin lookup, schema check, the kind's own
 * `check` (which returns the settings to store), sealed secrets, row and audit event in one transaction.
 * The kind supplies its store calls (adding its own columns there) and keeps its other rules.
 */
export function instanceWrites<P extends { type: string; options: TSchema; secrets: TSchema }, R>(w: {
  db: Db;
  keys: Pick<KeyService, 'storeSecret'>;
  audit: Pick<AuditService, 'record'>;
  clock: () => Date;
  /** `issuer`, `destination`, `source`: sealing kind, audit target type and action prefix. */
  kind: string;
  /** The kind with its article, for the name clash: `an issuer`. */
  aKind: string;
  registry: { get(type: string): P };
  configOf: (r: R) => Promise<PluginConfig>;
  findByName: (db: Db, name: string) => Promise<unknown>;
  insert: (trx: Db, columns: ReturnType<typeof newInstanceColumns>, now: string) => Promise<number>;
  update: (trx: Db, id: number, columns: ReturnType<typeof changedInstanceColumns>, now: string) => Promise<unknown>;
  check: (
    plugin: P,
    given: PluginConfig,
    instance: { name: string; plugin: string },
  ) => Promise<PluginConfig> | PluginConfig;
}) {
  return {
    /** Throws ValidationError (naming the setting) or ConflictError (name taken); returns the new id. */
    async create(input: Meta & { plugin: string } & InstanceChange, ctx: RequestContext): Promise<number> {
      checkInstanceName(input.name);
      if (await w.findByName(w.db, input.name))
        throw new ConflictError(`${w.aKind} named '${input.name}' exists already`);
      const plugin = w.registry.get(input.plugin);
      const given = checkedSettings(plugin, input.options, input.secrets);
      const config = await w.check(plugin, given, { name: input.name, plugin: plugin.type });
      const now = w.clock().toISOString();
      return w.db.transaction().execute(async (trx) => {
        const secretsId = await w.keys.storeSecret(trx, w.kind, config.secrets);
        const columns = newInstanceColumns(input, plugin.type, config, secretsId, ctx.principal.actor, now);
        const id = await w.insert(trx, columns, now);
        const details = { name: input.name, plugin: plugin.type };
        await w.audit.record(trx, byCaller(ctx, `${w.kind}.create`, { type: w.kind, id }, details));
        return id;
      });
    },

    /** Merges the change into the stored settings (null removes), checks the result again and re-seals it. */
    async update(r: R & { id: number; name: string; plugin: string }, input: InstanceChange, ctx: RequestContext) {
      const plugin = w.registry.get(r.plugin);
      const merged = mergeSettings(await w.configOf(r), input);
      const config = await w.check(plugin, checkedSettings(plugin, merged.options, merged.secrets), r);
      const now = w.clock().toISOString();
      await w.db.transaction().execute(async (trx) => {
        const secretsId = await w.keys.storeSecret(trx, w.kind, config.secrets);
        await w.update(trx, r.id, changedInstanceColumns(input, config, secretsId, now), now);
        const fields = changedFields(input);
        await w.audit.record(trx, byCaller(ctx, `${w.kind}.update`, { type: w.kind, id: r.id }, { fields }));
      });
    },
  };
}
