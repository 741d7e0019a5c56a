// The periodic notices. Each pass finds what is due, records a mark per (subject, notice) and queues messages
// for the marks it won, in one transaction: a notice already given (by this run, an earlier one, or another
// process at the same moment) is never given again, and a crash leaves either both or neither.
// Alerts about automation are AutomationChecks: one query function each, so a new one (e.g. "issued but not
// deployed", once deployments exist) is one more entry in the list.
import type { Db } from '../../db/index.ts';
import type { Dispatcher } from './dispatch.ts';
import type { NoticeItem, NotificationEvent } from './messages.ts';
import * as store from './store.ts';
import * as q from './trigger-queries.ts';

const DAY = 86_400_000;

/** An alert about automation that is failing or stalled; each item is told once per `key`. */
export interface AutomationCheck {
  event: NotificationEvent;
  /** the mark that keeps the alert from repeating, e.g. `rotation-overdue:<notAfter>` */
  key: (item: NoticeItem) => string;
  find: (db: Db, now: Date) => Promise<NoticeItem[]>;
}

export const rotationOverdueCheck: AutomationCheck = {
  event: 'rotation-overdue',
  key: (i) => `rotation-overdue:${i.notAfter}`,
  find: q.overdueRotations,
};

export interface TriggerDeps {
  db: Db;
  dispatcher: Pick<Dispatcher, 'enqueue' | 'deliverDue'>;
  clock: () => Date;
  expiryDays: number[];
  authorityDays: number[];
  checks: AutomationCheck[];
}

const subjectOf = (i: NoticeItem) => `${i.kind}:${i.id}`;

export function createNotificationTriggers(deps: TriggerDeps) {
  const { db, dispatcher, clock } = deps;

  /** Gives `event` about the items whose mark this call wins, grouped one message per recipient. */
  async function once(event: NotificationEvent, items: NoticeItem[], key: (i: NoticeItem) => string) {
    if (items.length === 0) return { items: 0, messages: 0 };
    return db.transaction().execute(async (trx) => {
      const won: NoticeItem[] = [];
      const at = clock().toISOString();
      for (const item of items)
        if ((await store.claimMarks(trx, [subjectOf(item)], key(item), at)).size) won.push(item);
      return { items: won.length, messages: await dispatcher.enqueue(trx, event, won) };
    });
  }

  /** The interval (days before expiry) a date has reached: the smallest configured one it is within. */
  const intervalOf = (notAfter: string, now: Date, days: number[]) =>
    Math.min(...days.filter((d) => Date.parse(notAfter) <= now.getTime() + d * DAY));

  return {
    once,
    /** Expiry warnings, revocations, authority expiry and automation alerts; then sends what is queued. */
    async run() {
      const now = clock();
      const iso = (d: number) => new Date(now.getTime() + d * DAY).toISOString();
      const out: Record<string, unknown> = {};
      if (deps.expiryDays.length) {
        const expiring = await q.expiringCertificates(db, iso(0), iso(deps.expiryDays[0]!));
        out.expiry = await once('expiry', expiring, (i) => `expiry:${intervalOf(i.notAfter, now, deps.expiryDays)}`);
      }
      out.revoked = await once('revoked', await q.revokedSince(db, iso(-7)), () => 'revoked');
      if (deps.authorityDays.length) {
        const cas = await q.expiringAuthorities(db, iso(0), iso(deps.authorityDays[0]!));
        out.authorityExpiry = await once(
          'authority-expiry',
          cas,
          (i) => `authority-expiry:${intervalOf(i.notAfter, now, deps.authorityDays)}`,
        );
      }
      for (const check of deps.checks) out[check.event] = await once(check.event, await check.find(db, now), check.key);
      out.delivered = await dispatcher.deliverDue();
      return out;
    },

    /** The periodic summary for the rules that ask for `summary`; at most one per day. */
    async summary() {
      const now = clock();
      const item: NoticeItem = {
        kind: 'summary',
        id: 0,
        name: 'summary',
        owner: null,
        authorityId: null,
        labels: {},
        notAfter: now.toISOString(),
        facts: await q.summaryFacts(db, now),
      };
      const result = await once('summary', [item], () => `summary:${now.toISOString().slice(0, 10)}`);
      return { ...result, delivered: await dispatcher.deliverDue() };
    },
  };
}

export type NotificationTriggers = ReturnType<typeof createNotificationTriggers>;
