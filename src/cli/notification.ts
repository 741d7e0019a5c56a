// `tarsier notification channel|rule|deliveries`: where notices go, through /api/v1/notifications.
import type { Command } from 'commander';
import { type ClientFlags, connect, withClientOptions } from './client.ts';
import { choice, id, list, setting } from './options.ts';
import { formatTime, print, printJson, printTable } from './output.ts';

const base = '/api/v1/notifications';
interface Channel {
  id: number;
  name: string;
  plugin: string;
  owners: boolean;
  secretsSet: string[];
}
interface Rule {
  id: number;
  channelId: number;
  match: string;
  value: string;
  recipient: string;
  events: string[];
}
interface Delivery {
  id: number;
  recipient: string;
  event: string;
  subject: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
}

function registerChannelCommands(notification: Command): void {
  const channel = notification.command('channel').description('channels: email, slack, webhook');
  withClientOptions(channel.command('list').description('configured channels')).action(async (flags: ClientFlags) => {
    const { body } = await connect(flags).json<{ items: Channel[] }>('GET', `${base}/channels`);
    if (flags.json) return printJson(body);
    printTable(
      ['ID', 'NAME', 'PLUGIN', 'OWNERS', 'SECRETS SET'],
      body.items.map((c) => [c.id, c.name, c.plugin, c.owners ? 'yes' : 'no', c.secretsSet.join(', ')]),
    );
  });
  withClientOptions(
    channel
      .command('add')
      .description('add a channel; e.g. --option host=smtp.example.com --option port=587 --secret password=…')
      .argument('<name>', 'channel name')
      .requiredOption('--plugin <type>', 'email, slack or webhook')
      .option('--option <key=value>', 'a setting (repeatable; JSON values allowed)', setting)
      .option('--secret <key=value>', 'a credential (repeatable; stored sealed)', setting)
      .option('--owners', 'reach certificate owners through this channel'),
  ).action(
    async (
      name: string,
      flags: ClientFlags & {
        plugin: string;
        option?: Record<string, unknown>;
        secret?: Record<string, unknown>;
        owners?: boolean;
      },
    ) => {
      const body = { name, plugin: flags.plugin, options: flags.option, secrets: flags.secret, owners: flags.owners };
      const { body: c } = await connect(flags).json<Channel>('POST', `${base}/channels`, { body });
      if (flags.json) return printJson(c);
      print(`added channel ${c.id} (${c.name}, ${c.plugin})`);
    },
  );
  withClientOptions(
    channel.command('remove').description('delete a channel').argument('<id>', 'channel id', id),
  ).action(async (channelId: number, flags: ClientFlags) => {
    await connect(flags).json('DELETE', `${base}/channels/${channelId}`);
    print(`deleted channel ${channelId}`);
  });
  withClientOptions(
    channel
      .command('test')
      .description('send a test message now')
      .argument('<id>', 'channel id', id)
      .option('--to <address>', 'recipient (e-mail channels)'),
  ).action(async (channelId: number, flags: ClientFlags & { to?: string }) => {
    await connect(flags).json('POST', `${base}/channels/${channelId}/test`, { body: { recipient: flags.to } });
    print(`sent a test message through channel ${channelId}`);
  });
}

function registerRuleCommands(notification: Command): void {
  const rule = notification.command('rule').description('who else is told, by owner, authority or label');
  withClientOptions(rule.command('list').description('rules')).action(async (flags: ClientFlags) => {
    const { body } = await connect(flags).json<{ items: Rule[] }>('GET', `${base}/rules`);
    if (flags.json) return printJson(body);
    printTable(
      ['ID', 'CHANNEL', 'MATCH', 'VALUE', 'RECIPIENT', 'EVENTS'],
      body.items.map((r) => [r.id, r.channelId, r.match, r.value, r.recipient, r.events.join(', ')]),
    );
  });
  withClientOptions(
    rule
      .command('add')
      .description('add a rule')
      .requiredOption('--channel <id>', 'channel id', id)
      .requiredOption(
        '--match <kind>',
        'all, owner, authority or label',
        choice(['all', 'owner', 'authority', 'label']),
      )
      .option('--value <value>', 'the owner, authority id, or label key=value')
      .option('--to <address>', 'recipient (e-mail channels)')
      .requiredOption('--events <list>', 'e.g. expiry,rotation-failed,revoked,summary', list),
  ).action(
    async (flags: ClientFlags & { channel: number; match: string; value?: string; to?: string; events: string[] }) => {
      const body = {
        channelId: flags.channel,
        match: flags.match,
        value: flags.value,
        recipient: flags.to,
        events: flags.events,
      };
      const { body: r } = await connect(flags).json<Rule>('POST', `${base}/rules`, { body });
      if (flags.json) return printJson(r);
      print(`added rule ${r.id}`);
    },
  );
  withClientOptions(rule.command('remove').description('delete a rule').argument('<id>', 'rule id', id)).action(
    async (ruleId: number, flags: ClientFlags) => {
      await connect(flags).json('DELETE', `${base}/rules/${ruleId}`);
      print(`deleted rule ${ruleId}`);
    },
  );
}

export function registerNotificationCommands(program: Command): void {
  const notification = program.command('notification').description('notification channels, rules and deliveries');
  registerChannelCommands(notification);
  registerRuleCommands(notification);
  withClientOptions(
    notification
      .command('deliveries')
      .description('messages queued, sent and failed')
      .option('--status <status>', 'pending, sent or failed', choice(['pending', 'sent', 'failed'])),
  ).action(async (flags: ClientFlags & { status?: string }) => {
    const { body } = await connect(flags).json<{ items: Delivery[] }>('GET', `${base}/deliveries`, {
      query: { status: flags.status },
    });
    if (flags.json) return printJson(body);
    printTable(
      ['ID', 'CREATED', 'EVENT', 'RECIPIENT', 'STATUS', 'ATTEMPTS', 'LAST ERROR'],
      body.items.map((d) => [d.id, formatTime(d.createdAt), d.event, d.recipient, d.status, d.attempts, d.lastError]),
    );
  });
}
