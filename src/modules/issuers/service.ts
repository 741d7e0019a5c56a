// External issuers: configured instances of issuer plugins (an ACME account at a CA, a CFSSL server). Each
// configuration is proven by the plugin at creation and on change, so a wrong URL or bad credentials fail then,
// not at first use. Secrets are sealed like private keys and never leave through the API.
import type { Db } from '../../db/index.ts';
import type { IssuerRow } from '../../db/schema.ts';
import { ConflictError, NotFoundError, PolicyError, ValidationError } from '../../errors.ts';
import { type AuditService, byCaller } from '../audit/service.ts';
import type { KeyService } from '../keys/service.ts';
import { instanceWrites, sealedSettings } from '../plugin-instances.ts';
import type { RequestContext } from '../request-context.ts';
import { createChallengeResponder } from './challenges.ts';
import {
  type IssueOutcome,
  type IssueRequest,
  type IssuerConfig,
  IssuerConfigError,
  type IssuerContext,
  type PluginLogger,
  type RevocationReasonName,
} from './plugin.ts';
import type { AnyIssuerPlugin, IssuerRegistry } from './registry.ts';
import type { CreateIssuerInput, UpdateIssuerInput } from './schemas.ts';
import * as store from './store.ts';

export interface IssuerDeps {
  db: Db;
  keys: Pick<KeyService, 'storeSecret' | 'loadSecret'>;
  audit: Pick<AuditService, 'record'>;
  registry: IssuerRegistry;
  clock: () => Date;
  log: PluginLogger & { child(bindings: object): PluginLogger };
  /** HTTP-01 through a destination's web root (wired to the destinations module). */
  destinationChallenges?: IssuerContext['destinationChallenges'];
}

export const issuerView = (row: IssuerRow, plugin: AnyIssuerPlugin | undefined, secretNames: string[]) => ({
  id: row.id,
  name: row.name,
  plugin: row.plugin,
  options: JSON.parse(row.options) as Record<string, unknown>,
  secretsSet: secretNames,
  owner: row.owner,
  description: row.description,
  status: row.disabled_reason ? ('disabled' as const) : ('ready' as const),
  disabledReason: row.disabled_reason,
  checkedAt: row.checked_at,
  canRevoke: Boolean(plugin?.revoke),
  canCancel: Boolean(plugin?.cancel),
  canFetchChain: Boolean(plugin?.chain),
  createdAt: row.created_at,
  createdBy: row.created_by,
});
export type IssuerView = ReturnType<typeof issuerView>;

export function createIssuerService({ db, keys, audit, registry, clock, log, destinationChallenges }: IssuerDeps) {
  const challenges = createChallengeResponder(db, clock);
  const contextFor = (row: Pick<IssuerRow, 'name' | 'plugin'>): IssuerContext => ({
    log: log.child({ issuer: row.name, plugin: row.plugin }),
    clock,
    challenges,
    destinationChallenges,
  });

  async function row(id: number): Promise<IssuerRow> {
    const r = await store.findIssuer(db, id);
    if (!r) throw new NotFoundError('issuer', id);
    return r;
  }
  const { configOf, secretNames } = sealedSettings(db, keys, 'issuer');
  async function view(r: IssuerRow) {
    return issuerView(
      r,
      registry.all().find((p) => p.type === r.plugin),
      await secretNames(r),
    );
  }

  /** Runs the plugin's own check; its complaints become 400s naming the field. */
  async function prove(plugin: AnyIssuerPlugin, r: Pick<IssuerRow, 'name' | 'plugin'>, config: IssuerConfig) {
    try {
      return await plugin.validate(config, contextFor(r));
    } catch (e) {
      if (e instanceof IssuerConfigError) throw new ValidationError(e.field, e.message);
      if (e instanceof ValidationError) throw e;
      throw new ValidationError(
        'options',
        `the ${plugin.title} configuration could not be checked: ${(e as Error).message}`,
      );
    }
  }

  const writes = instanceWrites({
    db,
    keys,
    audit,
    clock,
    kind: 'issuer',
    aKind: 'an issuer',
    registry,
    configOf,
    findByName: store.findIssuerByName,
    insert: (trx, columns, now) => store.insertIssuer(trx, { ...columns, checked_at: now }),
    // A changed configuration was just proved: whatever disabled the issuer before no longer holds.
    update: (trx, id, columns, now) =>
      store.updateIssuer(trx, id, { ...columns, disabled_reason: null, checked_at: now }),
    check: (plugin, given, instance) => prove(plugin, instance, given),
  });

  return {
    plugins: () => registry.all(),
    list: async () => Promise.all((await store.listIssuers(db)).map(view)),
    get: async (id: number) => view(await row(id)),
    row,
    configOf,
    pluginOf: (r: Pick<IssuerRow, 'plugin'>) => registry.get(r.plugin),
    contextFor,
    challenges,

    /** Creates an issuer after the plugin proved the configuration. Throws ValidationError, ConflictError. */
    create: async (input: CreateIssuerInput, ctx: RequestContext) => view(await row(await writes.create(input, ctx))),

    /** Changes settings (given secrets replace those of the same name) and proves the result again. */
    async update(id: number, input: UpdateIssuerInput, ctx: RequestContext) {
      await writes.update(await row(id), input, ctx);
      return view(await row(id));
    },

    /** Proves the stored configuration again; a failure disables the issuer with the reason, a success re-enables it. */
    async check(id: number, ctx: RequestContext) {
      const r = await row(id);
      let reason: string | null = null;
      try {
        await prove(registry.get(r.plugin), r, await configOf(r));
      } catch (e) {
        reason = (e as Error).message;
      }
      await store.updateIssuer(db, id, { disabled_reason: reason, checked_at: clock().toISOString() });
      await audit.record(
        db,
        byCaller(ctx, 'issuer.check', { type: 'issuer', id }, { ok: reason === null }, reason ? 'failure' : 'success'),
      );
      return view(await row(id));
    },

    async remove(id: number, ctx: RequestContext) {
      await row(id);
      const uses = await store.countIssuerUses(db, id);
      if (uses > 0)
        throw new ConflictError(`issuer ${id} has ${uses} certificates or pending certificates; it cannot be deleted`);
      await db.transaction().execute(async (trx) => {
        await store.deleteIssuer(trx, id);
        await audit.record(trx, byCaller(ctx, 'issuer.delete', { type: 'issuer', id }));
      });
    },

    /** Starts issuance at the issuer. Throws PolicyError when it is disabled; plugin errors pass through. */
    async issue(r: IssuerRow, req: IssueRequest): Promise<IssueOutcome> {
      if (r.disabled_reason) throw new PolicyError(`issuer '${r.name}' is disabled: ${r.disabled_reason}`);
      return registry.get(r.plugin).issue(req, await configOf(r), contextFor(r));
    },

    async poll(r: IssuerRow, state: Record<string, unknown>, req: IssueRequest): Promise<IssueOutcome> {
      const plugin = registry.get(r.plugin);
      if (!plugin.poll) throw new PolicyError(`issuer plugin '${r.plugin}' cannot continue pending work`);
      return plugin.poll(state, req, await configOf(r), contextFor(r));
    },

    async cancel(r: IssuerRow, state: Record<string, unknown>): Promise<void> {
      await registry.get(r.plugin).cancel?.(state, await configOf(r), contextFor(r));
    },

    /** The issuer's CA chain (PEM, issuer first). Throws PolicyError when the plugin has none to give. */
    async chain(id: number): Promise<string> {
      const r = await row(id);
      const plugin = registry.get(r.plugin);
      if (!plugin.chain) {
        throw new PolicyError(
          `issuer '${r.name}' (${plugin.title}) publishes no CA chain apart from its certificates; see a certificate's chain`,
        );
      }
      return plugin.chain(await configOf(r), contextFor(r));
    },

    /** Revokes at the issuer. Throws PolicyError when the plugin cannot revoke. */
    async revoke(r: IssuerRow, cert: { certificatePem: string; serialHex: string }, reason: RevocationReasonName) {
      const plugin = registry.get(r.plugin);
      if (!plugin.revoke) throw new PolicyError(`issuer '${r.name}' (${plugin.title}) cannot revoke certificates`);
      await plugin.revoke(cert, reason, await configOf(r), contextFor(r));
    },
  };
}

export type IssuerService = ReturnType<typeof createIssuerService>;
