// The audit log: every change of state and every read of a private key, as a hash chain (see chain.ts). record()
// takes the executor of the caller's transaction so that the event commits (or rolls back) together with the
// change it describes; the chain step (lock the head, link, insert, move the head) runs inside that transaction.
import type { Transaction } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { AuditEventRow, Database } from '../../db/schema.ts';
import { ValidationError } from '../../errors.ts';
import type { RequestContext } from '../request-context.ts';
import { type ChainReport, createChainChecker, eventHash } from './chain.ts';
import * as store from './store.ts';

export interface AuditInput {
  actor: string;
  action: string;
  target?: { type: string; id: string | number };
  clientAddress?: string;
  outcome: 'success' | 'denied' | 'failure';
  details?: Record<string, unknown>;
}

/**
 * The event for something the caller did: actor and client address come from the request context, so call
 * sites name only what happened. Example: audit.record(trx, byCaller(ctx, 'certificate.revoke', target, { reason })).
 */
export function byCaller(
  ctx: RequestContext,
  action: string,
  target?: AuditInput['target'],
  details?: Record<string, unknown>,
  outcome: AuditInput['outcome'] = 'success',
): AuditInput {
  return { actor: ctx.principal.actor, action, target, clientAddress: ctx.clientAddress, outcome, details };
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  /** ISO-8601 date or date-time; inclusive. */
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

export type { ChainReport } from './chain.ts';

/** Events read per query while verifying: memory stays flat however long the log is. */
const VERIFY_PAGE = 5000;

export function createAuditService({ db, clock }: { db: Db; clock: () => Date }) {
  // The head as this process left it inside each open transaction: the first event of a transaction locks the head
  // row, which stays locked until commit, so later events of the same transaction (group commit puts many there)
  // chain on without locking and reading it again.
  const heldHeads = new WeakMap<Transaction<Database>, { seq: number; prevHash: string }>();

  async function append(trx: Transaction<Database>, e: AuditInput): Promise<void> {
    const held = heldHeads.get(trx);
    const head = held ?? (await store.lockHead(trx));
    // Without a head there is nothing to chain onto; writing on would hide the damage, so the change fails.
    if (!head) throw new Error('the audit log has lost its head record (table audit_head); run `tarsier audit verify`');
    const fields = {
      seq: head.seq,
      prev_hash: head.prevHash,
      // Read under the lock, so that time never runs backwards along the chain (within one clock).
      at: clock().toISOString(),
      actor: e.actor,
      action: e.action,
      target_type: e.target?.type ?? null,
      target_id: e.target ? String(e.target.id) : null,
      client_address: e.clientAddress ?? null,
      outcome: e.outcome,
      details: JSON.stringify(e.details ?? {}),
    };
    const hash = eventHash(fields);
    await store.insertEvent(trx, { ...fields, hash });
    if (held) await store.setHead(trx, head.seq, hash);
    else await store.setHeadHash(trx, hash);
    heldHeads.set(trx, { seq: head.seq + 1, prevHash: hash });
  }

  /**
   * Events newest first, filtered by actor, action, target and time; `next` is the cursor of the following page
   * (null on the last). Throws ValidationError for an unreadable time or cursor.
   */
  async function list(q: AuditQuery): Promise<{ items: AuditEvent[]; next: string | null }> {
    const limit = Math.min(q.limit ?? 50, 500);
    const rows = await store.listEvents(db, {
      actor: q.actor,
      action: q.action,
      targetType: q.targetType,
      targetId: q.targetId,
      since: q.since === undefined ? undefined : instant('since', q.since, 'start'),
      until: q.until === undefined ? undefined : instant('until', q.until, 'end'),
      beforeId: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
      limit,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toEvent), next: rows.length > limit && last ? encodeCursor(last.id) : null };
  }

  return {
    /**
     * Writes one event with `exec`: the caller's transaction, or the database, in which case the event gets a
     * transaction of its own (e.g. a denied attempt, which changes nothing else).
     * Example: `await audit.record(trx, { actor, action: 'certificate.revoke', target: { type: 'certificate', id }, outcome: 'success' })`
     */
    async record(exec: Db, e: AuditInput): Promise<void> {
      if (exec.isTransaction) await append(exec as Transaction<Database>, e);
      else await exec.transaction().execute((trx) => append(trx, e));
    },

    /** The events about one target, oldest first. */
    async forTarget(type: string, id: string | number) {
      const rows = await store.listForTarget(db, type, String(id));
      return rows.map(toEvent);
    },

    list,

    /** The newest events (at most 500), optionally of one action or actor: `list` without paging. */
    async recent(filter: { action?: string; actor?: string; limit?: number }): Promise<AuditEvent[]> {
      return (await list(filter)).items;
    },

    /**
     * Recomputes the chain from the first event to the head and reports the first altered or missing event.
     * Reads 5,000 events per query; events written while it runs are left for the next run.
     */
    async verify(): Promise<ChainReport> {
      const head = await store.findHead(db);
      const checker = createChainChecker(head && { seq: Number(head.seq), hash: head.hash });
      const until = head ? Number(head.seq) : Number.MAX_SAFE_INTEGER;
      for (let after = 0; ; ) {
        const rows = await store.listChainPage(db, after, until, VERIFY_PAGE);
        for (const row of rows) {
          const broken = checker.add(row);
          if (broken) return broken;
        }
        const last = rows[rows.length - 1];
        if (!last || rows.length < VERIFY_PAGE) break;
        after = Number(last.seq);
      }
      const report = checker.finish();
      if (!report.ok) return report;
      const stray = await store.findUnchained(db);
      if (stray) {
        const message = `event ${stray.id} has no place in the chain (written around Tarsier, or its seq was cleared)`;
        return { ok: false, reason: 'altered', firstBadId: stray.id, seq: null, count: report.count, message };
      }
      // Events past the head that the head does not know: the head was set back. Read the highest seq before the
      // head again, so that an event committed meanwhile (which moves the head in the same commit) is no false alarm.
      const maxSeq = await store.findMaxSeq(db);
      const headNow = await store.findHead(db);
      if (maxSeq !== null && headNow && maxSeq > Number(headNow.seq)) {
        const message = `event #${maxSeq} lies beyond the audit head (#${headNow.seq}): the head was set back`;
        return { ok: false, reason: 'head mismatch', firstBadId: null, seq: maxSeq, count: report.count, message };
      }
      return report;
    },
  };
}

export interface AuditEvent {
  id: number;
  seq: number;
  at: string;
  actor: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  clientAddress: string | null;
  outcome: AuditInput['outcome'];
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

function toEvent(r: AuditEventRow): AuditEvent {
  return {
    id: r.id,
    seq: Number(r.seq),
    at: r.at,
    actor: r.actor,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    clientAddress: r.client_address,
    outcome: r.outcome,
    details: parseDetails(r.details),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** A row edited by hand may hold anything; the list still answers (verify is where it shows). */
function parseDetails(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** `2026-05-01` or any ISO-8601 date-time with a zone -> the UTC text `at` is stored as; a bare date covers its day. */
function instant(field: string, text: string, edge: 'start' | 'end'): string {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(text);
  const ms = Date.parse(dateOnly ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(ms) || (!dateOnly && !hasZone)) {
    throw new ValidationError(
      field,
      `'${text}' is not a date (2026-05-01) or a date-time with a zone (2026-05-01T12:00:00Z)`,
    );
  }
  return new Date(dateOnly && edge === 'end' ? ms + 86_399_999 : ms).toISOString();
}

function encodeCursor(id: number): string {
  return Buffer.from(`before:${id}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const m = /^before:([1-9]\d{0,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new ValidationError('cursor', 'is not a cursor from this listing; start again without it');
  return Number(m[1]);
}

export type AuditService = ReturnType<typeof createAuditService>;
