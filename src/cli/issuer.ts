// `tarsier issuer plugins|list|show|add|set|check|remove`: external issuers (ACME, CFSSL) through /api/v1/issuers.
// Settings are given as --option key=value and --secret key=value (a value that parses as JSON is sent as
// JSON, so --option termsOfServiceAgreed=true is a boolean), or whole from a JSON file.
import type { Command } from 'commander';
import { type ApiClient, type ClientFlags, connect, withClientOptions } from './client.ts';
import { idOrName, resolveId } from './options.ts';
import { formatTime, print, printFields, printJson, printTable } from './output.ts';
import {
  type PluginCatalogEntry,
  printPluginCatalog,
  type SettingsFlags,
  settings,
  settingsFields,
  withSettings,
} from './plugin-settings.ts';

interface Issuer {
  id: number;
  name: string;
  plugin: string;
  options: Record<string, unknown>;
  secretsSet: string[];
  owner: string | null;
  description: string | null;
  status: 'ready' | 'disabled';
  disabledReason: string | null;
  checkedAt: string | null;
  canRevoke: boolean;
  createdAt: string;
}

function printIssuer(i: Issuer): void {
  printFields([
    ['ID', i.id],
    ['Name', i.name],
    ['Plugin', i.plugin],
    ['Status', i.status === 'ready' ? 'ready' : `disabled: ${i.disabledReason}`],
    ...settingsFields(i),
    ['Can revoke', i.canRevoke ? 'yes' : 'no'],
    ['Owner', i.owner],
    ['Description', i.description],
    ['Checked', formatTime(i.checkedAt)],
    ['Created', formatTime(i.createdAt)],
  ]);
}

const resolveIssuer = (client: ApiClient, ref: number | string) =>
  resolveId<Issuer>(client, ref, {
    path: '/api/v1/issuers',
    kind: 'issuer',
    name: (i) => i.name,
    hint: 'tarsier issuer list',
  });

function report(flags: ClientFlags, i: Issuer, headline: string): void {
  if (flags.json) {
    printJson(i);
    return;
  }
  print(headline);
  printIssuer(i);
}

export function registerIssuerCommands(program: Command): void {
  const issuer = program.command('issuer').description('external issuers: ACME CAs (Let’s Encrypt, …) and CFSSL');

  withClientOptions(issuer.command('plugins').description('the issuer plugins and their settings')).action(
    async (flags: ClientFlags) => {
      const { body } = await connect(flags).json<{ items: PluginCatalogEntry[] }>('GET', '/api/v1/issuers/plugins');
      if (flags.json) printJson(body);
      else printPluginCatalog(body.items);
    },
  );

  withClientOptions(issuer.command('list').description('list external issuers')).action(async (flags: ClientFlags) => {
    const { body } = await connect(flags).json<{ items: Issuer[] }>('GET', '/api/v1/issuers');
    if (flags.json) printJson(body);
    else if (body.items.length === 0) print('no issuers; add one with `tarsier issuer add NAME --plugin acme …`');
    else
      printTable(
        ['ID', 'NAME', 'PLUGIN', 'STATUS', 'OWNER'],
        body.items.map((i) => [
          i.id,
          i.name,
          i.plugin,
          i.status === 'ready' ? 'ready' : `disabled: ${i.disabledReason}`,
          i.owner,
        ]),
      );
  });

  withClientOptions(
    issuer.command('show').description('show one issuer').argument('<issuer>', 'id or name', idOrName),
  ).action(async (ref: number | string, flags: ClientFlags) => {
    const client = connect(flags);
    const { id } = await resolveIssuer(client, ref);
    const { body } = await client.json<Issuer>('GET', `/api/v1/issuers/${id}`);
    if (flags.json) printJson(body);
    else printIssuer(body);
  });

  withClientOptions(
    withSettings(
      issuer
        .command('add')
        .description('register an issuer; its settings are proven first (the CA is contacted)')
        .argument('<name>', 'a unique name, e.g. letsencrypt')
        .requiredOption('--plugin <type>', 'acme or cfssl (see tarsier issuer plugins)'),
    ),
  ).action(async (name: string, flags: SettingsFlags & { plugin: string }) => {
    const body = { name, plugin: flags.plugin, ...settings(flags) };
    const reply = await connect(flags).json<Issuer>('POST', '/api/v1/issuers', { body });
    report(flags, reply.body, `added issuer ${reply.body.id}`);
  });

  withClientOptions(
    withSettings(
      issuer
        .command('set')
        .description('change settings or replace credentials (proven again)')
        .argument('<issuer>', 'id or name', idOrName),
    ),
  ).action(async (ref: number | string, flags: SettingsFlags) => {
    const client = connect(flags);
    const { id } = await resolveIssuer(client, ref);
    const reply = await client.json<Issuer>('PATCH', `/api/v1/issuers/${id}`, { body: settings(flags) });
    report(flags, reply.body, `updated issuer ${id}`);
  });

  withClientOptions(
    issuer.command('check').description('prove the stored settings again').argument('<issuer>', 'id or name', idOrName),
  ).action(async (ref: number | string, flags: ClientFlags) => {
    const client = connect(flags);
    const { id } = await resolveIssuer(client, ref);
    const reply = await client.json<Issuer>('POST', `/api/v1/issuers/${id}/check`);
    report(flags, reply.body, reply.body.status === 'ready' ? `issuer ${id} works` : `issuer ${id} is disabled`);
    if (reply.body.status !== 'ready') process.exitCode = 1;
  });

  withClientOptions(
    issuer
      .command('remove')
      .description('delete an issuer no certificate names')
      .argument('<issuer>', 'id or name', idOrName),
  ).action(async (ref: number | string, flags: ClientFlags) => {
    const client = connect(flags);
    const { id } = await resolveIssuer(client, ref);
    await client.bytes('DELETE', `/api/v1/issuers/${id}`);
    if (flags.json) printJson({ id, removed: true });
    else print(`removed issuer ${id}`);
  });
}
