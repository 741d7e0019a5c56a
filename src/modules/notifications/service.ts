// Notification channels (configured instances of the channel plugins, credentials sealed like keys), the rules
// that add recipients by owner, authority or label, the record of deliveries, and a test-send that proves a
// channel works. The triggers (triggers.ts) and the rotation module hand notices to the dispatcher.
import type { Db } from '../../db/index.ts';
import { ConflictError, NotFoundError, UpstreamError, ValidationError } from '../../errors.ts';
import { type AuditService, byCaller } from '../audit/service.ts';
import type { PluginLogger } from '../issuers/plugin.ts';
import type { KeyService } from '../keys/service.ts';
import { checkPluginSettings } from '../plugin-options.ts';
import type { RequestContext } from '../request-context.ts';
import { renderMessage } from './messages.ts';
import type { NotificationRegistry } from './registry.ts';
import type { CreateChannelInput, CreateRuleInput } from './schemas.ts';
import * as store from './store.ts';

export interface NotificationDeps {
  db: Db;
  keys: Pick<KeyService, 'storeSecret' | 'loadSecret'>;
  audit: Pick<AuditService, 'record'>;
  registry: NotificationRegistry;
  clock: () => Date;
  log: PluginLogger;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

const ruleView = (r: store.RuleRow) => ({
  id: r.id,
  channelId: r.channel_id,
  match: r.match,
  value: r.value,
  recipient: r.recipient,
  events: JSON.parse(r.events) as string[],
  createdAt: r.created_at,
});

export const deliveryView = (d: store.DeliveryRow) => ({
  id: d.id,
  channelId: d.channel_id,
  recipient: d.recipient,
  event: d.event,
  subject: d.subject,
  text: d.text_body,
  status: d.status,
  attempts: d.attempts,
  lastError: d.last_error,
  nextAttemptAt: d.status === 'pending' ? d.next_attempt_at : null,
  createdAt: d.created_at,
  sentAt: d.sent_at,
});

export function createNotificationService(deps: NotificationDeps) {
  const { db, keys, audit, registry, clock, log } = deps;

  async function channel(id: number) {
    const c = await store.findChannel(db, id);
    if (!c) throw new NotFoundError('notification channel', id);
    return c;
  }
  const secretsOf = (c: store.ChannelRow) =>
    c.secrets_id === null ? Promise.resolve({}) : keys.loadSecret(db, c.secrets_id, 'notification');
  const channelView = async (c: store.ChannelRow) => ({
    id: c.id,
    name: c.name,
    plugin: c.plugin,
    options: JSON.parse(c.options) as Record<string, unknown>,
    secretsSet: Object.keys(await secretsOf(c)).sort(),
    owners: c.owners === 1,
    createdAt: c.created_at,
    createdBy: c.created_by,
  });

  /** Checks that a rule's recipient and value fit its channel and match kind; throws ValidationError. */
  function checkRule(input: CreateRuleInput, addressed: boolean): { value: string; recipient: string } {
    const value = input.value ?? '';
    const recipient = input.recipient ?? '';
    if (input.match !== 'all' && !value) throw new ValidationError('value', `give the ${input.match} to match`);
    if (input.match === 'label' && !/^[^=]+=.*$/.test(value))
      throw new ValidationError('value', `'${value}' is not key=value`);
    if (input.match === 'authority' && !/^\d+$/.test(value))
      throw new ValidationError('value', `'${value}' is not an authority id`);
    if (addressed && !EMAIL.test(recipient))
      throw new ValidationError('recipient', `'${recipient}' is not an e-mail address; this channel sends e-mail`);
    if (!addressed && recipient)
      throw new ValidationError('recipient', 'this channel has one destination; leave recipient out');
    return { value, recipient };
  }

  return {
    plugins: () =>
      registry.all().map((p) => ({
        type: p.type,
        description: p.description,
        addressed: p.addressed,
        options: p.options,
        secrets: p.secrets,
      })),

    listChannels: async () => Promise.all((await store.listChannels(db)).map(channelView)),
    getChannel: async (id: number) => channelView(await channel(id)),

    /** Creates a channel; settings are checked against the plugin's schemas. Throws ValidationError, ConflictError. */
    async createChannel(input: CreateChannelInput, ctx: RequestContext) {
      const plugin = registry.get(input.plugin);
      const options = checkPluginSettings(plugin.options, input.options, 'options');
      const secrets = checkPluginSettings(plugin.secrets, input.secrets, 'secrets');
      if (await store.findChannelByName(db, input.name))
        throw new ConflictError(`a notification channel named ${input.name} exists already`);
      const now = clock().toISOString();
      const id = await db.transaction().execute(async (trx) => {
        const secretsId = Object.keys(secrets).length ? await keys.storeSecret(trx, 'notification', secrets) : null;
        const newId = await store.insertChannel(trx, {
          name: input.name,
          plugin: plugin.type,
          options: JSON.stringify(options),
          secrets_id: secretsId,
          owners: input.owners ? 1 : 0,
          created_at: now,
          created_by: ctx.principal.actor,
          updated_at: now,
        });
        await audit.record(
          trx,
          byCaller(
            ctx,
            'notification.channel.create',
            { type: 'notification-channel', id: newId },
            {
              plugin: plugin.type,
              secrets: Object.keys(secrets),
            },
          ),
        );
        return newId;
      });
      return channelView(await channel(id));
    },

    async deleteChannel(id: number, ctx: RequestContext): Promise<void> {
      await channel(id);
      await db.transaction().execute(async (trx) => {
        await store.deleteChannel(trx, id);
        await audit.record(trx, byCaller(ctx, 'notification.channel.delete', { type: 'notification-channel', id }));
      });
    },

    /** Sends a test message through a channel now; a failure is a 502 with the server's own words. */
    async test(id: number, recipient: string | undefined, ctx: RequestContext) {
      const c = await channel(id);
      const plugin = registry.get(c.plugin);
      if (plugin.addressed && !EMAIL.test(recipient ?? ''))
        throw new ValidationError('recipient', 'give the e-mail address to send the test message to');
      const m = renderMessage('test', [], clock());
      await audit.record(db, byCaller(ctx, 'notification.test', { type: 'notification-channel', id }));
      try {
        await plugin.send(
          { recipient: recipient ?? '', event: 'test', ...m },
          { options: JSON.parse(c.options), secrets: await secretsOf(c) },
          { log, clock },
        );
      } catch (e) {
        throw new UpstreamError(`channel ${c.name} could not send: ${(e as Error).message}`, {
          upstream: (e as Error).message,
        });
      }
      return { sent: true };
    },

    listRules: async () => (await store.listRules(db)).map(ruleView),

    /** Adds a rule: who else hears about which events. Throws ValidationError, NotFoundError. */
    async createRule(input: CreateRuleInput, ctx: RequestContext) {
      const c = await channel(input.channelId);
      const { value, recipient } = checkRule(input, registry.get(c.plugin).addressed);
      const id = await db.transaction().execute(async (trx) => {
        const newId = await store.insertRule(trx, {
          channel_id: c.id,
          match: input.match,
          value,
          recipient,
          events: JSON.stringify(input.events),
          created_at: clock().toISOString(),
          created_by: ctx.principal.actor,
        });
        await audit.record(trx, byCaller(ctx, 'notification.rule.create', { type: 'notification-rule', id: newId }));
        return newId;
      });
      return ruleView((await store.findRule(db, id))!);
    },

    async deleteRule(id: number, ctx: RequestContext): Promise<void> {
      if (!(await store.findRule(db, id))) throw new NotFoundError('notification rule', id);
      await db.transaction().execute(async (trx) => {
        await store.deleteRule(trx, id);
        await audit.record(trx, byCaller(ctx, 'notification.rule.delete', { type: 'notification-rule', id }));
      });
    },

    deliveries: async (q: { status?: string; event?: string; limit?: number }) =>
      (await store.listDeliveries(db, { ...q, limit: q.limit ?? 100 })).map(deliveryView),
  };
}

export type NotificationService = ReturnType<typeof createNotificationService>;
