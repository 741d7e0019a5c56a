// Sources: configured instances of source plugins (a list of TLS targets, a directory tree) and their runs.
// Settings are checked at creation (the plugin's schema and its own rules) so a typo is a 400, not a failed run;
// secrets (PKCS#12 passwords) are sealed like private keys and never leave through the API.
import type { SourceRow, SourceRunItemRow, SourceRunRow } from '../../db/schema.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import { type AuditService, byCaller } from '../audit/service.ts';
import type { KeyService } from '../keys/service.ts';
import { instanceWrites, sealedSettings, validatedBy } from '../plugin-instances.ts';
import type { RequestContext } from '../request-context.ts';
import { SourceConfigError } from './plugin.ts';
import type { SourceRegistry } from './registry.ts';
import { createRunner, type RunnerDeps } from './run.ts';
import type { CreateSourceInput, UpdateSourceInput } from './schemas.ts';
import * as store from './store.ts';

export interface SourceDeps extends RunnerDeps {
  keys: Pick<KeyService, 'storeSecret' | 'loadSecret'>;
  audit: Pick<AuditService, 'record'>;
  registry: SourceRegistry;
}

export const runView = (r: SourceRunRow) => ({
  id: r.id,
  sourceId: r.source_id,
  status: r.status,
  itemsTotal: r.items_total,
  itemsDone: r.items_done,
  itemsFailed: r.items_failed,
  certificatesNew: r.certificates_new,
  endpointsGone: r.endpoints_gone,
  error: r.error,
  startedAt: r.started_at,
  startedBy: r.started_by,
  finishedAt: r.finished_at,
});

export const itemView = (r: SourceRunItemRow) => ({
  id: r.id,
  target: r.target,
  status: r.status,
  message: r.message,
  certificateId: r.certificate_id,
  endpointId: r.endpoint_id,
  isNew: r.is_new === 1,
  change: r.change,
  problems: JSON.parse(r.problems) as string[],
  at: r.at,
});

export function createSourceService(deps: SourceDeps) {
  const { db, keys, audit, registry, clock } = deps;
  const runner = createRunner(deps);
  /** Runs of this process, by source id: one run per source at a time; stop() aborts them. */
  const active = new Map<number, { runId: number; controller: AbortController; done: Promise<void> }>();

  async function row(id: number): Promise<SourceRow> {
    const r = await store.findSource(db, id);
    if (!r) throw new NotFoundError('source', id);
    return r;
  }
  const { configOf } = sealedSettings(db, keys, 'source');
  async function view(r: SourceRow) {
    const { secrets } = await configOf(r);
    const [last] = await store.listRuns(db, r.id, 1);
    return {
      id: r.id,
      name: r.name,
      plugin: r.plugin,
      options: JSON.parse(r.options) as Record<string, unknown>,
      secretsSet: Object.keys(secrets).sort(),
      owner: r.owner,
      description: r.description,
      lastRun: last ? runView(last) : null,
      createdAt: r.created_at,
      createdBy: r.created_by,
    };
  }
  const writes = instanceWrites({
    db,
    keys,
    audit,
    clock,
    kind: 'source',
    aKind: 'a source',
    registry,
    configOf,
    findByName: store.findSourceByName,
    insert: (trx, columns) => store.insertSource(trx, columns),
    update: (trx, id, columns) => store.updateSource(trx, id, columns),
    check: validatedBy(SourceConfigError),
  });
  async function run(id: number) {
    const r = await store.findRun(db, id);
    if (!r) throw new NotFoundError('source run', id);
    return r;
  }

  return {
    plugins: () => registry.all(),
    list: async () => Promise.all((await store.listSources(db)).map(view)),
    get: async (id: number) => view(await row(id)),

    /** Creates a source after checking its settings. Throws ValidationError, ConflictError. */
    create: async (input: CreateSourceInput, ctx: RequestContext) => view(await row(await writes.create(input, ctx))),

    /** Changes settings (given secrets replace those of the same name, null removes), checked again. */
    async update(id: number, input: UpdateSourceInput, ctx: RequestContext) {
      await writes.update(await row(id), input, ctx);
      return view(await row(id));
    },

    /** Deletes a source and its run history; the endpoints and certificates it found stay. */
    async remove(id: number, ctx: RequestContext) {
      await row(id);
      if (active.has(id))
        throw new ConflictError(`source ${id} is running; wait for run ${active.get(id)!.runId} to end`);
      await db.transaction().execute(async (trx) => {
        await store.deleteSource(trx, id);
        await audit.record(trx, byCaller(ctx, 'source.delete', { type: 'source', id }));
      });
    },

    /**
     * Starts a run (one at a time per source); answers at once unless `wait`. Certificates are imported in the
     * caller's name. Throws NotFoundError, ConflictError when the source is already running.
     */
    async start(id: number, opts: { wait?: boolean }, ctx: RequestContext) {
      const r = await row(id);
      const running = active.get(id);
      if (running)
        throw new ConflictError(`source ${id} is already running (run ${running.runId})`, { runId: running.runId });
      const plugin = registry.get(r.plugin);
      const config = await configOf(r);
      const startedAt = clock().toISOString();
      const runId = await db.transaction().execute(async (trx) => {
        const newId = await store.insertRun(trx, {
          source_id: id,
          status: 'running',
          started_at: startedAt,
          started_by: ctx.principal.actor,
        });
        await audit.record(trx, byCaller(ctx, 'source.run', { type: 'source', id }, { runId: newId }));
        return newId;
      });
      const controller = new AbortController();
      const done = runner
        .execute(r, plugin, config, runId, startedAt, ctx, controller.signal)
        .finally(() => active.delete(id));
      active.set(id, { runId, controller, done });
      if (opts.wait) await done;
      return runView(await run(runId));
    },

    runs: async (sourceId: number, limit = 20) => {
      await row(sourceId);
      return (await store.listRuns(db, sourceId, limit)).map(runView);
    },
    run: async (runId: number) => runView(await run(runId)),
    async items(runId: number, f: { status?: SourceRunItemRow['status']; cursor?: string; limit?: number }) {
      await run(runId);
      const limit = f.limit ?? 100;
      const items = (
        await store.listItems(db, runId, { status: f.status, after: f.cursor ? Number(f.cursor) : undefined, limit })
      ).map(itemView);
      return { items, next: items.length === limit ? String(items[items.length - 1]!.id) : null };
    },

    /**
     * One pass of the `source-runs` job: runs every source in turn, each to its end. A source already running
     * (here, or in another process unless that run started more than `staleSeconds` ago and so lost its process)
     * is skipped, so two passes at once do not scan a source twice.
     */
    async runAll(ctx: RequestContext, staleSeconds: number) {
      const tally = { sources: 0, finished: 0, failed: 0, skipped: 0, certificatesNew: 0 };
      for (const s of await store.listSources(db)) {
        tally.sources++;
        const last = (await store.listRuns(db, s.id, 1))[0];
        const fresh = clock().getTime() - staleSeconds * 1000;
        if (active.has(s.id) || (last?.status === 'running' && Date.parse(last.started_at) > fresh)) {
          tally.skipped++;
          continue;
        }
        // Started or deleted by someone else since the look above: skipped, like a busy one.
        const r = await this.start(s.id, { wait: true }, ctx).catch((e) => {
          if (e instanceof ConflictError || e instanceof NotFoundError) return undefined;
          throw e;
        });
        if (!r) tally.skipped++;
        else {
          tally[r.status === 'finished' ? 'finished' : 'failed']++;
          tally.certificatesNew += r.certificatesNew;
        }
      }
      return tally;
    },

    /** Stops this process's runs (at shutdown) and waits for them to record where they stopped. */
    async stop() {
      const all = [...active.values()];
      for (const a of all) a.controller.abort();
      await Promise.all(all.map((a) => a.done));
    },
  };
}

export type SourceService = ReturnType<typeof createSourceService>;
