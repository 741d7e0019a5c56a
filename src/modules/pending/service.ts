// Pending certificates: issuance an external issuer is still working on (ACME validation, a CA's queue). A
// background loop claims due rows (one process per row, a crashed process's claim runs out), asks the issuer
// again, and backs off on faults; a refusal fails the row with the issuer's own words. Users list, retry, cancel.
import type { Db } from '../../db/index.ts';
import type { PendingCertificateRow, PendingStatus } from '../../db/schema.ts';
import { ConflictError, NotFoundError, TarsierError, UpstreamError } from '../../errors.ts';
import { type AuditInput, type AuditService, byCaller } from '../audit/service.ts';
import { requireOwnership } from '../identity/ownership.ts';
import { IssuanceFailed, type IssueOutcome, type PluginLogger } from '../issuers/plugin.ts';
import type { IssuerService } from '../issuers/service.ts';
import type { RequestContext } from '../request-context.ts';
import * as store from './store.ts';

type Row = PendingCertificateRow & { issuer_name: string };

export const pendingView = (p: Row) => ({
  id: p.id,
  issuerId: p.issuer_id,
  issuer: p.issuer_name,
  status: p.status,
  commonName: p.common_name,
  names: JSON.parse(p.names) as string[],
  owner: p.owner,
  message: p.message,
  attempts: p.attempts,
  lastError: p.last_error,
  upstreamError: p.upstream_error,
  nextAttemptAt: p.status === 'pending' ? p.next_attempt_at : null,
  certificateId: p.certificate_id,
  createdAt: p.created_at,
  createdBy: p.created_by,
  updatedAt: p.updated_at,
});
export type PendingView = ReturnType<typeof pendingView>;

export interface PendingDeps {
  db: Db;
  audit: Pick<AuditService, 'record'>;
  issuers: Pick<IssuerService, 'row' | 'cancel'>;
  /** Asks the issuer again and stores the certificate when it is there (certificates/external-issuance.ts). */
  advance: (p: PendingCertificateRow) => Promise<{ outcome: IssueOutcome; certificateId?: number }>;
  clock: () => Date;
  log: PluginLogger;
  /** Faults (not refusals) tolerated before the row is failed. */
  maxAttempts?: number;
  /** How long one process may hold a row while it works on it. */
  claimSeconds?: number;
}

/** Seconds to wait after the n-th fault: 5, 10, 20 … capped at one hour. */
export const backoffSeconds = (n: number) => Math.min(5 * 2 ** Math.max(0, n - 1), 3600);

export function createPendingService(deps: PendingDeps) {
  const { db, audit, clock, log } = deps;
  const maxAttempts = deps.maxAttempts ?? 12;
  const claimMs = 1000 * (deps.claimSeconds ?? 120);

  async function row(id: number): Promise<Row> {
    const p = await store.findPending(db, id);
    if (!p) throw new NotFoundError('pending certificate', id);
    return p;
  }
  const system = (action: string, id: number, details: Record<string, unknown>, outcome: AuditInput['outcome']) =>
    audit.record(db, { actor: 'system', action, target: { type: 'pending-certificate', id }, outcome, details });

  /** One attempt on a row this process holds; never throws (the outcome is written to the row). */
  async function attempt(p: PendingCertificateRow): Promise<void> {
    const now = clock();
    const at = (s: number) => new Date(now.getTime() + 1000 * s).toISOString();
    try {
      const { outcome } = await deps.advance(p);
      if (outcome.status === 'issued') return;
      await store.updatePending(db, p.id, {
        state: JSON.stringify(outcome.state),
        message: outcome.message ?? p.message,
        attempts: p.attempts + 1,
        last_error: null,
        next_attempt_at: at(outcome.retryAfterSeconds ?? 5),
        locked_until: null,
        updated_at: now.toISOString(),
      });
    } catch (e) {
      const refused = e instanceof IssuanceFailed || (e instanceof TarsierError && !(e instanceof UpstreamError));
      const attempts = p.attempts + 1;
      const message = e instanceof Error ? e.message : String(e);
      const failed = refused || attempts >= maxAttempts;
      await store.updatePending(db, p.id, {
        status: failed ? 'failed' : 'pending',
        attempts,
        last_error: refused || !failed ? message : `gave up after ${attempts} attempts; last error: ${message}`,
        upstream_error: e instanceof IssuanceFailed ? (e.upstream ?? null) : p.upstream_error,
        next_attempt_at: at(backoffSeconds(attempts)),
        locked_until: null,
        updated_at: now.toISOString(),
      });
      if (failed) await system('pending.fail', p.id, { error: message }, 'failure');
      else log.warn({ pendingId: p.id, err: message }, 'pending certificate: issuer fault, will retry');
    }
  }

  /** Claims the row (unless another process holds it) and makes one attempt. */
  async function work(id: number, force = false): Promise<boolean> {
    const now = clock();
    if (!(await store.claim(db, id, now.toISOString(), new Date(now.getTime() + claimMs).toISOString(), force))) {
      return false;
    }
    const p = await row(id);
    await attempt(p);
    return true;
  }

  return {
    get: async (id: number) => pendingView(await row(id)),
    list: async (q: { status?: PendingStatus; issuerId?: number; limit?: number }) =>
      (await store.listPending(db, { ...q, limit: q.limit ?? 100 })).map(pendingView),

    /** Works every due row once; returns how many this process worked on. Used by the background loop. */
    async processDue(limit = 20): Promise<number> {
      let done = 0;
      for (const id of await store.dueIds(db, clock().toISOString(), limit)) if (await work(id)) done++;
      return done;
    },

    /** Tries again now; a failed row is re-opened. Throws ConflictError for issued or cancelled rows. */
    async retry(id: number, ctx: RequestContext) {
      const p = await row(id);
      requireOwnership(ctx.principal, id, p.owner, 'retry it');
      if (p.status === 'issued' || p.status === 'cancelled') {
        throw new ConflictError(`pending certificate ${id} is ${p.status}; nothing to retry`);
      }
      if (p.status === 'failed') {
        await store.updatePending(db, id, { status: 'pending', attempts: 0, updated_at: clock().toISOString() });
      }
      await audit.record(db, byCaller(ctx, 'pending.retry', { type: 'pending-certificate', id }));
      if (!(await work(id, true))) throw new ConflictError(`pending certificate ${id} is being worked on right now`);
      return pendingView(await row(id));
    },

    /** Gives up: the issuer is told (best effort) and the row is kept as cancelled. */
    async cancel(id: number, ctx: RequestContext) {
      const p = await row(id);
      requireOwnership(ctx.principal, id, p.owner, 'cancel it');
      if (p.status === 'issued' || p.status === 'cancelled') {
        throw new ConflictError(`pending certificate ${id} is ${p.status} already`);
      }
      await store.updatePending(db, id, { status: 'cancelled', locked_until: null, updated_at: clock().toISOString() });
      await audit.record(db, byCaller(ctx, 'pending.cancel', { type: 'pending-certificate', id }));
      try {
        await deps.issuers.cancel(await deps.issuers.row(p.issuer_id), JSON.parse(p.state));
      } catch (e) {
        log.warn({ pendingId: id, err: (e as Error).message }, 'pending certificate: the issuer could not be told');
      }
      return pendingView(await row(id));
    },
  };
}

export type PendingService = ReturnType<typeof createPendingService>;
