// The audit log: every change of state and every read of a private key. record() takes the executor of the
// caller's transaction so that the event commits (or rolls back) together with the change it describes.
import type { Db } from '../../db/index.ts';
import * as store from './store.ts';

export interface AuditInput {
  actor: string;
  action: string;
  target?: { type: string; id: string | number };
  clientAddress?: string;
  outcome: 'success' | 'denied' | 'failure';
  details?: Record<string, unknown>;
}

export function createAuditService({ db, clock }: { db: Db; clock: () => Date }) {
  return {
    /** Writes one event with `exec` (a transaction or the database). */
    async record(exec: Db, e: AuditInput): Promise<void> {
      await store.insertEvent(exec, {
        at: clock().toISOString(),
        actor: e.actor,
        action: e.action,
        target_type: e.target?.type ?? null,
        target_id: e.target ? String(e.target.id) : null,
        client_address: e.clientAddress ?? null,
        outcome: e.outcome,
        details: JSON.stringify(e.details ?? {}),
      });
    },

    /** The events about one target, oldest first. */
    async forTarget(type: string, id: string | number) {
      const rows = await store.listForTarget(db, type, String(id));
      return rows.map(toEvent);
    },

    async recent(filter: { action?: string; actor?: string; limit?: number }) {
      const rows = await store.listRecent(db, { ...filter, limit: Math.min(filter.limit ?? 100, 1000) });
      return rows.map(toEvent);
    },
  };
}

function toEvent(r: Awaited<ReturnType<typeof store.listRecent>>[number]) {
  return {
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    clientAddress: r.client_address,
    outcome: r.outcome,
    details: JSON.parse(r.details) as Record<string, unknown>,
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
