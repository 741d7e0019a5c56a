// Executes one source run: the plugin scans, and each item it reports is parsed, checked, imported (deduplicated
// by fingerprint, keys sealed, through the certificate import path) and recorded at its endpoint, one item at a
// time so that two sightings of one certificate never race to import it. A bad item is recorded and the run goes
// on; only a failure of the whole scan fails the run. Progress is written as it goes, for `tarsier source run`.
import type { Db } from '../../db/index.ts';
import type { SourceRow } from '../../db/schema.ts';
import { ValidationError } from '../../errors.ts';
import type { AuthorityService } from '../authorities/service.ts';
import { readImport } from '../certificates/import-input.ts';
import type { CertificateService } from '../certificates/service.ts';
import type { EndpointService } from '../endpoints/service.ts';
import type { RequestContext } from '../request-context.ts';
import { problemsOf, type TrustAnchors, trustAnchors } from './checks.ts';
import type { FoundItem, Outbound, PluginLogger, SourceConfig } from './plugin.ts';
import type { AnySourcePlugin } from './registry.ts';
import * as store from './store.ts';

export interface RunnerDeps {
  db: Db;
  certificates: Pick<CertificateService, 'import'>;
  authorities: Pick<AuthorityService, 'list'>;
  endpoints: Pick<EndpointService, 'observe' | 'markGone' | 'describePlace'>;
  outbound: Outbound;
  clock: () => Date;
  log: PluginLogger;
}

interface Counters {
  done: number;
  failed: number;
  created: number;
  total: number | null;
}

/** Progress is written at most this often (and at the end): a row update per item would double the writes. */
const PROGRESS_EVERY_MS = 250;

export function createRunner(deps: RunnerDeps) {
  const { db, clock } = deps;

  async function record(item: FoundItem, source: SourceRow, runId: number, anchors: TrustAnchors, ctx: RequestContext) {
    const at = clock().toISOString();
    const base = { run_id: runId, target: deps.endpoints.describePlace(item.place), at, problems: '[]' };
    if ('error' in item) {
      await store.insertItem(db, { ...base, status: 'error', message: item.error });
      return { failed: true, created: false };
    }
    if ('skipped' in item) {
      await store.insertItem(db, { ...base, status: 'skipped', message: item.skipped });
      return { failed: false, created: false };
    }
    try {
      const { leaf, chain } = readImport(item.material);
      const name = item.place.kind === 'tls' ? (item.place.serverName ?? item.place.host) : undefined;
      const problems = problemsOf(leaf, chain, anchors, clock(), name);
      const { row, created } = await deps.certificates.import(item.material, ctx);
      // One commit for the sighting and its item: on PostgreSQL each commit is a disk flush.
      await db.transaction().execute(async (trx) => {
        const seen = await deps.endpoints.observe(trx, item.place, row.id, { at, sourceId: source.id, problems });
        await store.insertItem(trx, {
          ...base,
          status: 'ok',
          certificate_id: row.id,
          endpoint_id: seen.endpointId,
          is_new: created ? 1 : 0,
          change: seen.change,
          problems: JSON.stringify(problems),
        });
      });
      return { failed: false, created };
    } catch (e) {
      if (!(e instanceof ValidationError)) deps.log.warn({ err: e, target: base.target }, 'source item failed');
      const why =
        e instanceof ValidationError ? `cannot be read: ${e.message.replace(/^[^:]+: /, '')}` : (e as Error).message;
      await store.insertItem(db, { ...base, status: 'error', message: why });
      return { failed: true, created: false };
    }
  }

  /** Runs the scan to the end and records the outcome on the run row; never throws. */
  async function execute(
    source: SourceRow,
    plugin: AnySourcePlugin,
    config: SourceConfig,
    runId: number,
    startedAt: string,
    ctx: RequestContext,
    signal: AbortSignal,
  ): Promise<void> {
    const c: Counters = { done: 0, failed: 0, created: 0, total: null };
    const progress = () =>
      store.updateRun(db, runId, {
        items_total: c.total,
        items_done: c.done,
        items_failed: c.failed,
        certificates_new: c.created,
      });
    try {
      const anchors = trustAnchors((await deps.authorities.list()).map((a) => a.certificate_der));
      let queue: Promise<void> = Promise.resolve();
      let flushed = Date.now();
      const report = (item: FoundItem) => {
        queue = queue.then(async () => {
          const r = await record(item, source, runId, anchors, ctx);
          c.done++;
          if (r.failed) c.failed++;
          if (r.created) c.created++;
          if (Date.now() - flushed >= PROGRESS_EVERY_MS) {
            flushed = Date.now();
            await progress();
          }
        });
        return queue;
      };
      const log = deps.log;
      await plugin.scan(config, { log, clock, outbound: deps.outbound, signal, expect: (n) => (c.total = n) }, report);
      await queue;
      // A stopped run saw only part of the targets: what it did not reach has not disappeared.
      const gone = signal.aborted ? 0 : await deps.endpoints.markGone(db, source.id, startedAt, clock().toISOString());
      await progress();
      await store.updateRun(db, runId, {
        status: signal.aborted ? 'failed' : 'finished',
        error: signal.aborted ? 'stopped before the end' : null,
        endpoints_gone: gone,
        finished_at: clock().toISOString(),
      });
    } catch (e) {
      deps.log.warn({ err: e, source: source.name }, 'source run failed');
      await progress()
        .then(() =>
          store.updateRun(db, runId, {
            status: 'failed',
            error: (e as Error).message,
            finished_at: clock().toISOString(),
          }),
        )
        .catch((err) => deps.log.error({ err }, 'could not record the end of a source run'));
    }
  }

  return { execute };
}
