// `tarsier api-key list|create|revoke`: long-lived tokens for scripts and CI, through /api/v1/api-keys. A key acts
// as its user, narrowed to its scopes; the server keeps only a hash, so `create` is the one chance to see it.
import type { Command } from 'commander';
import { type ClientFlags, connect, withClientOptions } from './client.ts';
import { defined, id, integer, list } from './options.ts';
import { formatDate, formatTime, print, printFields, printJson, printTable } from './output.ts';

/** An API key as the API sends it; `key` only in the answer to create. */
interface ApiKey {
  id: number;
  name: string;
  prefix: string;
  user: string | null;
  scopes: string[] | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  key?: string;
}

interface CreateFlags extends ClientFlags {
  name: string;
  scope?: string[];
  expiresInDays?: number;
}

function status(k: ApiKey): string {
  if (k.revokedAt) return 'revoked';
  if (k.expiresAt && Date.parse(k.expiresAt) <= Date.now()) return 'expired';
  return 'active';
}

const scopes = (k: ApiKey) => k.scopes ?? ["all of the user's rights"];

function printApiKey(k: ApiKey): void {
  printFields([
    ['ID', k.id],
    ['Name', k.name],
    ['User', k.user],
    ['Prefix', k.prefix],
    ['Scopes', scopes(k)],
    ['Status', status(k)],
    ['Created', formatTime(k.createdAt)],
    ['Expires', formatTime(k.expiresAt) ?? 'never'],
    ['Revoked', formatTime(k.revokedAt)],
    ['Last used', formatTime(k.lastUsedAt)],
    ...(k.key ? ([['Key', k.key]] as Array<[string, string]>) : []),
  ]);
}

export function registerApiKeyCommands(program: Command): void {
  const apiKey = program.command('api-key').description('API keys: tokens for scripts and CI, revocable at any time');

  withClientOptions(
    apiKey.command('list').description('list your API keys').option('--all', "everyone's keys (admins only)"),
  ).action(async (flags: ClientFlags & { all?: boolean }) => {
    const { body } = await connect(flags).json<{ items: ApiKey[] }>('GET', '/api/v1/api-keys', {
      query: { all: flags.all },
    });
    if (flags.json) printJson(body);
    else if (body.items.length === 0) print('no API keys; create one with `tarsier api-key create --name <name>`');
    else
      printTable(
        ['ID', 'NAME', 'USER', 'PREFIX', 'STATUS', 'EXPIRES', 'LAST USED', 'SCOPES'],
        body.items.map((k) => [
          k.id,
          k.name,
          k.user,
          k.prefix,
          status(k),
          formatDate(k.expiresAt) ?? 'never',
          formatDate(k.lastUsedAt),
          k.scopes ? k.scopes.join(',') : 'all',
        ]),
      );
  });

  withClientOptions(
    apiKey
      .command('create')
      .description('create an API key for yourself; it is shown once, now')
      .requiredOption('--name <name>', 'what it is for, e.g. "ci-deploy"')
      .option('--scope <rights>', 'limit it to these rights, e.g. certificate:read; comma list, repeatable', list)
      .option('--expires-in-days <n>', 'make it expire (default: never)', integer),
  ).action(async (flags: CreateFlags) => {
    const body = defined({ name: flags.name, scopes: flags.scope, expiresInDays: flags.expiresInDays });
    const reply = await connect(flags).json<ApiKey>('POST', '/api/v1/api-keys', { body });
    if (flags.json) {
      printJson(reply.body);
      return;
    }
    print(`created API key ${reply.body.id}`);
    printApiKey(reply.body);
    process.stderr.write(
      'warning: copy the key now: it cannot be shown again. Use it as --token or TARSIER_TOKEN; revoke it with `tarsier api-key revoke`\n',
    );
  });

  withClientOptions(
    apiKey.command('revoke').description('revoke an API key at once').argument('<id>', 'API key id', id),
  ).action(async (keyId: number, flags: ClientFlags) => {
    const { body } = await connect(flags).json<ApiKey>('POST', `/api/v1/api-keys/${keyId}/revoke`);
    if (flags.json) printJson(body);
    else {
      print(`revoked API key ${keyId} (${body.name})`);
      printApiKey(body);
    }
  });
}
