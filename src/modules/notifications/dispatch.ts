// From notice to delivered message. enqueue() works out every recipient of a notice (the owners through channels
// marked for owners, plus the rules that match by owner, authority or label), renders ONE message per recipient
// listing all their items, and stores it as a pending delivery in the caller's transaction. deliverDue() sends
// pending deliveries, each claimed by one process; a failure is recorded on that delivery and retried with
// backoff, and never stops the others.
import type { Db } from '../../db/index.ts';
import type { PluginLogger } from '../issuers/plugin.ts';
import type { KeyService } from '../keys/service.ts';
import { type NoticeItem, type NotificationEvent, renderMessage } from './messages.ts';
import type { NotificationRegistry } from './registry.ts';
import * as store from './store.ts';

export interface DispatchDeps {
  db: Db;
  registry: NotificationRegistry;
  keys: Pick<KeyService, 'loadSecret'>;
  clock: () => Date;
  log: PluginLogger;
  /** How long one process may hold a delivery while sending it */
  claimSeconds: number;
}

/** Attempts before a delivery is given up as failed. */
export const MAX_DELIVERY_ATTEMPTS = 8;
/** Seconds to wait after the n-th failure: 30, 60, 120 … capped at one hour. */
export const deliveryBackoffSeconds = (n: number) => Math.min(30 * 2 ** Math.max(0, n - 1), 3600);

export function ruleMatches(rule: Pick<store.RuleRow, 'match' | 'value'>, item: NoticeItem): boolean {
  switch (rule.match) {
    case 'all':
      return true;
    case 'owner':
      return item.owner === rule.value;
    case 'authority':
      return String(item.kind === 'authority' ? item.id : item.authorityId) === rule.value;
    case 'label': {
      const eq = rule.value.indexOf('=');
      return item.labels[rule.value.slice(0, eq)] === rule.value.slice(eq + 1);
    }
    default:
      return false;
  }
}

export function createDispatcher(deps: DispatchDeps) {
  const { db, registry, clock, log } = deps;

  /** Recipient key (channel id + address) → the items that recipient is told about. */
  async function recipients(exec: Db, event: NotificationEvent, items: NoticeItem[]) {
    const groups = new Map<string, { channelId: number; recipient: string; items: NoticeItem[] }>();
    const add = (channelId: number, recipient: string, item: NoticeItem) => {
      const key = `${channelId}\u0000${recipient}`;
      const g = groups.get(key) ?? { channelId, recipient, items: [] };
      if (!g.items.includes(item)) g.items.push(item);
      groups.set(key, g);
    };
    const channels = await store.listChannels(exec);
    const addressed = new Map(channels.map((c) => [c.id, registry.all().find((p) => p.type === c.plugin)?.addressed]));
    const addresses = new Map<string, string[]>();
    for (const item of items) {
      if (!item.owner || event === 'summary') continue;
      if (!addresses.has(item.owner)) addresses.set(item.owner, await store.ownerAddresses(exec, item.owner));
      for (const c of channels.filter((ch) => ch.owners === 1)) {
        if (!addressed.get(c.id)) add(c.id, '', item);
        else for (const a of addresses.get(item.owner) ?? []) add(c.id, a, item);
      }
    }
    for (const rule of await store.listRules(exec)) {
      if (!(JSON.parse(rule.events) as string[]).includes(event)) continue;
      for (const item of items) if (ruleMatches(rule, item)) add(rule.channel_id, rule.recipient, item);
    }
    return [...groups.values()];
  }

  /** Stores one message per recipient about `items` in `exec` (the caller's transaction); returns how many. */
  async function enqueue(exec: Db, event: NotificationEvent, items: NoticeItem[]): Promise<number> {
    if (items.length === 0) return 0;
    const now = clock();
    const groups = await recipients(exec, event, items);
    for (const g of groups) {
      const m = renderMessage(event, g.items, now);
      await store.insertDelivery(exec, {
        channel_id: g.channelId,
        recipient: g.recipient,
        event,
        subject: m.subject,
        text_body: m.text,
        html_body: m.html,
        payload: JSON.stringify(m.payload),
        status: 'pending',
        next_attempt_at: now.toISOString(),
        created_at: now.toISOString(),
      });
    }
    return groups.length;
  }

  /** Sends one delivery this process holds; records the outcome, never throws. */
  async function send(id: number): Promise<boolean> {
    const d = await store.findDelivery(db, id);
    const now = clock();
    try {
      const channel = await store.findChannel(db, d.channel_id);
      if (!channel) throw new Error(`channel ${d.channel_id} no longer exists`);
      const plugin = registry.get(channel.plugin);
      const secrets =
        channel.secrets_id === null ? {} : await deps.keys.loadSecret(db, channel.secrets_id, 'notification');
      await plugin.send(
        {
          recipient: d.recipient,
          event: d.event,
          subject: d.subject,
          text: d.text_body,
          html: d.html_body,
          payload: JSON.parse(d.payload),
        },
        { options: JSON.parse(channel.options), secrets },
        { log, clock },
      );
      await store.updateDelivery(db, id, {
        status: 'sent',
        attempts: d.attempts + 1,
        sent_at: clock().toISOString(),
        locked_until: null,
        last_error: null,
      });
      return true;
    } catch (e) {
      const attempts = d.attempts + 1;
      const error = e instanceof Error ? e.message : String(e);
      log.warn({ deliveryId: id, err: error }, 'notification: delivery failed');
      await store.updateDelivery(db, id, {
        status: attempts >= MAX_DELIVERY_ATTEMPTS ? 'failed' : 'pending',
        attempts,
        last_error: error,
        next_attempt_at: new Date(now.getTime() + 1000 * deliveryBackoffSeconds(attempts)).toISOString(),
        locked_until: null,
      });
      return false;
    }
  }

  return {
    enqueue,
    /** Sends every due delivery not held by another process; returns how many were sent and how many failed. */
    async deliverDue(limit = 200): Promise<{ sent: number; failed: number }> {
      const out = { sent: 0, failed: 0 };
      const now = clock();
      const until = new Date(now.getTime() + 1000 * deps.claimSeconds).toISOString();
      for (const id of await store.dueDeliveryIds(db, now.toISOString(), limit)) {
        if (!(await store.claimDelivery(db, id, now.toISOString(), until))) continue;
        if (await send(id)) out.sent++;
        else out.failed++;
      }
      return out;
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
