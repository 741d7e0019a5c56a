// Executes one source run: the plugin scans, and each item it reports is parsed, checked, imported (deduplicated
// by fingerprint, keys sealed, through the certificate import path) and recorded at its endpoint, one item at a
// time so that two sightings of one certificate never race to import it. Sightings, item rows and progress are
// committed in batches: with SQLite's synchronous=FULL each commit is an fsync on the only thread, which was most
// of a run's time at one commit per item (bench/discovery.ts). A bad item is recorded and the run goes on.

import type { Insertable } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { SourceRow, SourceRunItemsTable } from '../../db/schema.ts';
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

/** What one item leaves to write: its item row, and the sighting when a certificate was found. */
interface Prepared {
  row: Insertable<SourceRunItemsTable>;
  sighting?: { place: FoundItem['place']; certificateId: number; problems: string[] };
  failed: boolean;
  created: boolean;
}

/** A batch is written when it holds this many items, or when the oldest waited this long (progress stays live). */
const BATCH_ITEMS = 100;
const BATCH_MS = 500;

export function createRunner(deps: RunnerDeps) {
  const { db, clock } = deps;

  /** Parses, checks and imports one item (the import commits on its own); writes nothing else yet. */
  async function prepare(
    item: FoundItem,
    runId: number,
    anchors: TrustAnchors,
    ctx: RequestContext,
  ): Promise<Prepared> {
    const row = {
      run_id: runId,
      target: deps.endpoints.describePlace(item.place),
      at: clock().toISOString(),
      problems: '[]',
    };
    if ('error' in item) return { row: { ...row, status: 'error', message: item.error }, failed: true, created: false };
    if ('skipped' in item)
      return { row: { ...row, status: 'skipped', message: item.skipped }, failed: false, created: false };
    try {
      const { leaf, chain } = readImport(item.material);
      const name = item.place.kind === 'tls' ? (item.place.serverName ?? item.place.host) : undefined;
      const problems = problemsOf(leaf, chain, anchors, clock(), name);
      const { row: cert, created } = await deps.certificates.import(item.material, ctx);
      return {
        row: {
          ...row,
          status: 'ok',
          certificate_id: cert.id,
          is_new: created ? 1 : 0,
          problems: JSON.stringify(problems),
        },
        sighting: { place: item.place, certificateId: cert.id, problems },
        failed: false,
        created,
      };
    } catch (e) {
      if (!(e instanceof ValidationError)) deps.log.warn({ err: e, target: row.target }, 'source item failed');
      const why =
        e instanceof ValidationError ? `cannot be read: ${e.message.replace(/^[^:]+: /, '')}` : (e as Error).message;
      return { row: { ...row, status: 'error', message: why }, failed: true, created: false };
    }
  }

  /** Writes a batch's sightings, item rows and the run's progress in one transaction. */
  async function write(batch: Prepared[], sourceId: number, runId: number, c: Counters): Promise<void> {
    await db.transaction().execute(async (trx) => {
      for (const p of batch) {
        if (p.sighting) {
          const { place, certificateId, problems } = p.sighting;
          const seen = await deps.endpoints.observe(trx, place, certificateId, { at: p.row.at, sourceId, problems });
          p.row.endpoint_id = seen.endpointId;
          p.row.change = seen.change;
        }
        await store.insertItem(trx, p.row);
      }
      await store.updateRun(trx, runId, {
        items_total: c.total,
        items_done: c.done,
        items_failed: c.failed,
        certificates_new: c.created,
      });
    });
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
    let batch: Prepared[] = [];
    let batchStarted = Date.now();
    const flush = async () => {
      const full = batch;
      batch = [];
      batchStarted = Date.now();
      await write(full, source.id, runId, c);
    };
    try {
      const anchors = trustAnchors((await deps.authorities.list()).map((a) => a.certificate_der));
      let queue: Promise<void> = Promise.resolve();
      const report = (item: FoundItem) => {
        queue = queue.then(async () => {
          const p = await prepare(item, runId, anchors, ctx);
          batch.push(p);
          c.done++;
          if (p.failed) c.failed++;
          if (p.created) c.created++;
          if (batch.length >= BATCH_ITEMS || Date.now() - batchStarted >= BATCH_MS) await flush();
        });
        return queue;
      };
      const log = deps.log;
      await plugin.scan(config, { log, clock, outbound: deps.outbound, signal, expect: (n) => (c.total = n) }, report);
      await queue;
      await flush();
      // A stopped run saw only part of the targets: what it did not reach has not disappeared.
      const gone = signal.aborted ? 0 : await deps.endpoints.markGone(db, source.id, startedAt, clock().toISOString());
      await store.updateRun(db, runId, {
        status: signal.aborted ? 'failed' : 'finished',
        error: signal.aborted ? 'stopped before the end' : null,
        endpoints_gone: gone,
        finished_at: clock().toISOString(),
      });
    } catch (e) {
      deps.log.warn({ err: e, source: source.name }, 'source run failed');
      await flush()
        .catch(() => {})
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
