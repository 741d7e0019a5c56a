// `tarsier issuer plugins|list|show|add|set|check|remove`: external issuers (ACME, CFSSL) through /api/v1/issuers.
// Settings are given as --option key=value and --secret key=value (a value that parses as JSON is sent as
// JSON, so --option termsOfServiceAgreed=true is a boolean), or whole from a JSON file.
import type { Command } from 'commander';
import { type ApiClient, type ClientFlags, connect, withClientOptions } from './client.ts';
import { defined, idOrName, resolveId, setting } from './options.ts';
import { formatTime, print, printFields, printJson, printTable, readFile, writeFile } from './output.ts';

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

interface SettingsFlags extends ClientFlags {
  option?: Record<string, unknown>;
  secret?: Record<string, unknown>;
  optionsFile?: string;
  secretsFile?: string;
  owner?: string;
  description?: string;
}

function jsonFile(file: string | undefined, what: string): Record<string, unknown> | undefined {
  if (!file) return undefined;
  try {
    return JSON.parse(readFile(file, what).toString('utf8'));
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message})`);
  }
}

function settings(flags: SettingsFlags) {
  const options = { ...jsonFile(flags.optionsFile, 'options'), ...flags.option };
  const secrets = { ...jsonFile(flags.secretsFile, 'secrets'), ...flags.secret };
  return defined({
    options: Object.keys(options).length ? options : undefined,
    secrets: Object.keys(secrets).length ? secrets : undefined,
    owner: flags.owner,
    description: flags.description,
  });
}

function printIssuer(i: Issuer): void {
  printFields([
    ['ID', i.id],
    ['Name', i.name],
    ['Plugin', i.plugin],
    ['Status', i.status === 'ready' ? 'ready' : `disabled: ${i.disabledReason}`],
    ...Object.entries(i.options).map(([k, v]): [string, string] => [
      `  ${k}`,
      typeof v === 'string' ? v : JSON.stringify(v),
    ]),
    ['Secrets set', i.secretsSet.length ? i.secretsSet : '(none)'],
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

const withSettings = (c: Command) =>
  c
    .option('--option <key=value>', 'a plugin setting; repeat for several', setting)
    .option('--secret <key=value>', 'a credential (stored encrypted, never shown); repeat for several', setting)
    .option('--options-file <file>', 'plugin settings as a JSON object')
    .option('--secrets-file <file>', 'credentials as a JSON object')
    .option('--owner <owner>', 'a team or an e-mail address')
    .option('--description <text>', 'free text');

export function registerIssuerCommands(program: Command): void {
  const issuer = program.command('issuer').description('external issuers: ACME CAs (Let’s Encrypt, …) and CFSSL');

  withClientOptions(issuer.command('plugins').description('the issuer plugins and their settings')).action(
    async (flags: ClientFlags) => {
      type Plugin = {
        type: string;
        title: string;
        description: string;
        options: { properties?: Record<string, { description?: string }> };
        secrets: { properties?: Record<string, { description?: string }> };
      };
      const { body } = await connect(flags).json<{ items: Plugin[] }>('GET', '/api/v1/issuers/plugins');
      if (flags.json) {
        printJson(body);
        return;
      }
      for (const p of body.items) {
        print(`${p.type}: ${p.title} — ${p.description}`);
        for (const [k, s] of Object.entries(p.options.properties ?? {}))
          print(`  --option ${k}=…  ${s.description ?? ''}`);
        for (const [k, s] of Object.entries(p.secrets.properties ?? {}))
          print(`  --secret ${k}=…  ${s.description ?? ''}`);
        print();
      }
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
      .command('chain')
      .description("print the issuer's CA chain (PEM, its CA certificate first)")
      .argument('<issuer>', 'id or name', idOrName)
      .option('-o, --out <file>', 'write the chain to this file instead of standard output'),
  ).action(async (ref: number | string, flags: ClientFlags & { out?: string }) => {
    const client = connect(flags);
    const { id } = await resolveIssuer(client, ref);
    writeFile(flags.out ?? '-', await client.bytes('GET', `/api/v1/issuers/${id}/chain`));
    if (flags.out) process.stderr.write(`wrote the chain of issuer ${id} to ${flags.out}\n`);
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
