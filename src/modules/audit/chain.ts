// The hash chain of the audit log, as pure functions: how one event's hash is computed, and a checker that is fed
// the events in chain order (seq 1, 2, 3 …) and names the first one that is altered or missing. The database walk
// lives in the service; keeping this pure lets the tests tamper with events without a database.
import { createHash } from 'node:crypto';

/** prev_hash of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** Tags the serialization, so that a future format can be told apart and old events still verify. */
const FORMAT = 'tarsier-audit-v1';

/** What an event's hash covers: every field but the database id, plus its place in the chain. */
export interface ChainedFields {
  seq: number;
  prev_hash: string;
  at: string;
  actor: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  client_address: string | null;
  outcome: string;
  /** The JSON text as stored, hashed as it is (no re-serialization). */
  details: string;
}

/**
 * Hex SHA-256 over a JSON array of the fields. A JSON array is unambiguous: no choice of field values can make
 * two different events serialize alike (unlike joining with a separator).
 */
export function eventHash(e: ChainedFields): string {
  const canonical = JSON.stringify([
    FORMAT,
    e.seq,
    e.prev_hash,
    e.at,
    e.actor,
    e.action,
    e.target_type,
    e.target_id,
    e.client_address,
    e.outcome,
    e.details,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

export type BreakReason = 'altered' | 'missing' | 'head mismatch';

export type ChainReport =
  | { ok: true; count: number; headSeq: number; headHash: string }
  | {
      ok: false;
      reason: BreakReason;
      /** The id of the first event found bad; for an altered event, that event; for a gap, the event after it;
       * null when the break is at the end of the log (the last events were deleted, or the head was changed). */
      firstBadId: number | null;
      /** The chain position (seq) of the altered or missing event; null for an event outside the chain. */
      seq: number | null;
      /** How many events verified before the break. */
      count: number;
      /** One sentence for a person. */
      message: string;
    };

/** The row shape the checker reads: the chained fields, the id, and the stored hash (null if someone cleared it). */
export interface StoredEvent extends Omit<ChainedFields, 'seq' | 'prev_hash'> {
  id: number;
  seq: number | null;
  prev_hash: string | null;
  hash: string | null;
}

export interface ChainHead {
  seq: number;
  hash: string;
}

type Broken = Extract<ChainReport, { ok: false }>;

/**
 * Walks events in chain order. `add` returns a report at the first break (and the walk should stop there);
 * `finish` compares the end of the walk with the head that was read before it.
 */
export function createChainChecker(head: ChainHead | undefined) {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let prevId: number | null = null;
  let count = 0;
  const broken = (reason: BreakReason, firstBadId: number | null, seq: number, message: string): Broken => ({
    ok: false,
    reason,
    firstBadId,
    seq,
    count,
    message,
  });

  return {
    add(e: StoredEvent): Broken | undefined {
      if (e.seq === null || e.prev_hash === null || e.hash === null) {
        return broken('altered', e.id, e.seq ?? expectedSeq, `event ${e.id} has lost its chain fields`);
      }
      if (e.seq > expectedSeq) {
        const after = prevId === null ? 'at the start of the log' : `between events ${prevId} and ${e.id}`;
        const what =
          e.seq - expectedSeq === 1 ? `event #${expectedSeq} is` : `events #${expectedSeq}-#${e.seq - 1} are`;
        return broken('missing', e.id, expectedSeq, `${what} missing ${after}`);
      }
      if (e.seq < expectedSeq) {
        return broken('altered', e.id, e.seq, `event ${e.id} claims position #${e.seq}, expected #${expectedSeq}`);
      }
      if (eventHash({ ...e, seq: e.seq, prev_hash: e.prev_hash }) !== e.hash) {
        return broken(
          'altered',
          e.id,
          e.seq,
          `event ${e.id} (#${e.seq}) was altered: its content no longer matches its hash`,
        );
      }
      if (e.prev_hash !== prevHash) {
        const prev = prevId === null ? 'the start of the chain' : `event ${prevId}`;
        return broken('altered', e.id, e.seq, `event ${e.id} (#${e.seq}) does not link to ${prev}: one was rewritten`);
      }
      expectedSeq += 1;
      prevHash = e.hash;
      prevId = e.id;
      count += 1;
      return undefined;
    },

    finish(): ChainReport {
      const last = expectedSeq - 1;
      if (!head) return broken('head mismatch', null, last, 'the audit head record is missing');
      if (head.seq > last) {
        const what =
          head.seq - last === 1 ? `the last event (#${head.seq}) is` : `events #${last + 1}-#${head.seq} are`;
        return broken('missing', null, last + 1, `${what} missing: the log ends at #${last}`);
      }
      if (head.seq < last || head.hash !== prevHash) {
        return broken(
          'head mismatch',
          null,
          last,
          `the audit head (#${head.seq}) does not match the last event (#${last})`,
        );
      }
      return { ok: true, count, headSeq: head.seq, headHash: head.hash };
    },
  };
}
