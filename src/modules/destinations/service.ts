// Destinations: configured instances of destination plugins (a directory, an SFTP host, a webhook). Settings are
// checked by the plugin at creation and change; credentials are sealed like private keys and only their names
// ever leave through the API. `test` proves a destination works now, through the outbound guard.
import type { Db } from '../../db/index.ts';
import type { DestinationRow } from '../../db/schema.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import type { OutboundGuard } from '../../net/outbound.ts';
import { type AuditService, byCaller } from '../audit/service.ts';
import type { PluginLogger } from '../issuers/plugin.ts';
import type { KeyService } from '../keys/service.ts';
import { instanceWrites, sealedSettings, validatedBy } from '../plugin-instances.ts';
import type { RequestContext } from '../request-context.ts';
import { DestinationConfigError, type DestinationContext } from './plugin.ts';
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
  const writes = instanceWrites({
    db,
    keys,
    audit,
    clock,
    kind: 'destination',
    aKind: 'a destination',
    registry,
    configOf,
    findByName: store.findDestinationByName,
    insert: (trx, columns) => store.insertDestination(trx, columns),
    update: (trx, id, columns) => store.updateDestination(trx, id, columns),
    check: validatedBy(DestinationConfigError),
  });

  return {
    plugins: () => registry.all(),
    list: async () => Promise.all((await store.listDestinations(db)).map(view)),
    get: async (id: number) => view(await row(id)),
    row,
    configOf,
    contextFor,
    pluginOf: (r: Pick<DestinationRow, 'plugin'>) => registry.get(r.plugin),

    /** Creates a destination. Throws ValidationError (naming the setting), ConflictError (name taken). */
    create: async (input: CreateDestinationInput, ctx: RequestContext) =>
      view(await row(await writes.create(input, ctx))),

    /** Changes settings; given secrets replace those of the same name, a secret set to null is removed. */
    async update(id: number, input: UpdateDestinationInput, ctx: RequestContext) {
      await writes.update(await row(id), input, ctx);
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
