// Destinations: configured instances of destination plugins (a directory, an SFTP host, a webhook). Settings are
// checked by the plugin at creation and change; credentials are sealed like private keys and only their names
// ever leave through the API. `test` proves a destination works now, through the outbound guard.
import type { Db } from '../../db/index.ts';
import type { DestinationRow } from '../../db/schema.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import type { OutboundGuard } from '../../net/outbound.ts';
import { type AuditService, byCaller } from '../audit/service.ts';
import type { PluginLogger } from '../issuers/plugin.ts';
import type { KeyService } from '../keys/service.ts';
import {
  changedFields,
  changedInstanceColumns,
  checkedSettings,
  checkInstanceName,
  mergeSettings,
  newInstanceColumns,
  sealedSettings,
} from '../plugin-instances.ts';
import type { RequestContext } from '../request-context.ts';
import {
  type AnyDestinationPlugin,
  type DestinationConfig,
  DestinationConfigError,
  type DestinationContext,
} from './plugin.ts';
import type { DestinationRegistry } from './registry.ts';
import type { CreateDestinationInput, UpdateDestinationInput } from './schemas.ts';
import * as store from './store.ts';

export interface DestinationDeps {
  db: Db;
  keys: Pick<KeyService, 'storeSecret' | 'loadSecret'>;
  audit: Pick<AuditService, 'record'>;
  registry: DestinationRegistry;
  outbound: OutboundGuard;
  clock: () => Date;
  log: PluginLogger & { child(bindings: object): PluginLogger };
}

export const destinationView = (row: DestinationRow, secretNames: string[]) => ({
  id: row.id,
  name: row.name,
  plugin: row.plugin,
  options: JSON.parse(row.options) as Record<string, unknown>,
  secretsSet: secretNames,
  owner: row.owner,
  description: row.description,
  createdAt: row.created_at,
  createdBy: row.created_by,
  updatedAt: row.updated_at,
});
export type DestinationView = ReturnType<typeof destinationView>;

export function createDestinationService({ db, keys, audit, registry, outbound, clock, log }: DestinationDeps) {
  const contextFor = (r: Pick<DestinationRow, 'name' | 'plugin'>): DestinationContext => ({
    log: log.child({ destination: r.name, plugin: r.plugin }),
    clock,
    outbound,
  });

  async function row(id: number): Promise<DestinationRow> {
    const r = await store.findDestination(db, id);
    if (!r) throw new NotFoundError('destination', id);
    return r;
  }
  const { configOf, secretNames } = sealedSettings(db, keys, 'destination');
  const view = async (r: DestinationRow) => destinationView(r, await secretNames(r));
  /** Schema first, then the plugin's own rules; both become 400s naming the field. */
  function checked(plugin: AnyDestinationPlugin, options: unknown, secrets: unknown): DestinationConfig {
    const config = checkedSettings(plugin, options, secrets);
    try {
      plugin.validate(config);
    } catch (e) {
      if (e instanceof DestinationConfigError) throw new ValidationError(e.field, e.message);
      throw e;
    }
    return config;
  }

  return {
    plugins: () => registry.all(),
    list: async () => Promise.all((await store.listDestinations(db)).map(view)),
    get: async (id: number) => view(await row(id)),
    row,
    configOf,
    contextFor,
    pluginOf: (r: Pick<DestinationRow, 'plugin'>) => registry.get(r.plugin),

    /** Creates a destination. Throws ValidationError (naming the setting), ConflictError (name taken). */
    async create(input: CreateDestinationInput, ctx: RequestContext) {
      checkInstanceName(input.name);
      if (await store.findDestinationByName(db, input.name))
        throw new ConflictError(`a destination named '${input.name}' exists already`);
      const plugin = registry.get(input.plugin);
      const config = checked(plugin, input.options, input.secrets);
      const now = clock().toISOString();
      const id = await db.transaction().execute(async (trx) => {
        const secretsId = await keys.storeSecret(trx, 'destination', config.secrets);
        const columns = newInstanceColumns(input, plugin.type, config, secretsId, ctx.principal.actor, now);
        const newId = await store.insertDestination(trx, columns);
        const target = { type: 'destination', id: newId };
        await audit.record(trx, byCaller(ctx, 'destination.create', target, { name: input.name, plugin: plugin.type }));
        return newId;
      });
      return view(await row(id));
    },

    /** Changes settings; given secrets replace those of the same name, a secret set to null is removed. */
    async update(id: number, input: UpdateDestinationInput, ctx: RequestContext) {
      const r = await row(id);
      const plugin = registry.get(r.plugin);
      const current = await configOf(r);
      const merged = mergeSettings(current, input);
      const config = checked(plugin, merged.options, merged.secrets);
      await db.transaction().execute(async (trx) => {
        const secretsId = await keys.storeSecret(trx, 'destination', config.secrets);
        await store.updateDestination(trx, id, changedInstanceColumns(input, config, secretsId, clock().toISOString()));
        const fields = changedFields(input);
        await audit.record(trx, byCaller(ctx, 'destination.update', { type: 'destination', id }, { fields }));
      });
      return view(await row(id));
    },

    /** Deletes a destination nothing was deployed to; one with deployments keeps its history: ConflictError. */
    async remove(id: number, ctx: RequestContext) {
      await row(id);
      const n = await store.countDeploymentsTo(db, id);
      if (n > 0) throw new ConflictError(`destination ${id} has ${n} recorded deployments; it cannot be deleted`);
      await db.transaction().execute(async (trx) => {
        await store.deleteDestination(trx, id);
        await audit.record(trx, byCaller(ctx, 'destination.delete', { type: 'destination', id }));
      });
    },

    /** Proves the destination works now (reach, log in, write access); a failure is reported, not thrown. */
    async test(id: number, ctx: RequestContext): Promise<{ ok: boolean; message: string }> {
      const r = await row(id);
      let result: { ok: boolean; message: string };
      try {
        result = { ok: true, message: await registry.get(r.plugin).test(await configOf(r), contextFor(r)) };
      } catch (e) {
        result = { ok: false, message: (e as Error).message };
      }
      await audit.record(
        db,
        byCaller(ctx, 'destination.test', { type: 'destination', id }, result, result.ok ? 'success' : 'failure'),
      );
      return result;
    },
  };
}

export type DestinationService = ReturnType<typeof createDestinationService>;
