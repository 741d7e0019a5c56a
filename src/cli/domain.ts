// `tarsier domain list|add|set|remove`: the registry of domains Tarsier issues for, through /api/v1/domains.
// A certificate request for a name under a sensitive domain is held until a security reviewer approves it
// (`tarsier request`). A domain is named by id or by name.
import type { Command } from 'commander';
import { type ApiClient, type ClientFlags, connect, withClientOptions } from './client.ts';
import { defined, idOrName, resolveId } from './options.ts';
import { formatTime, print, printFields, printJson, printTable } from './output.ts';

/** A domain as the API sends it. */
interface Domain {
  id: number;
  name: string;
  sensitive: boolean;
  description: string | null;
  createdAt: string;
  createdBy: string | null;
}

interface SetFlags extends ClientFlags {
  sensitive?: boolean;
  notSensitive?: boolean;
  description?: string;
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

function printDomain(d: Domain): void {
  printFields([
    ['ID', d.id],
    ['Name', d.name],
    ['Sensitive', d.sensitive ? 'yes: requests for names under it need approval' : 'no'],
    ['Description', d.description],
    ['Added', formatTime(d.createdAt)],
    ['Added by', d.createdBy],
  ]);
}

function report(flags: ClientFlags, d: Domain, headline: string): void {
  if (flags.json) {
    printJson(d);
    return;
  }
  print(headline);
  printDomain(d);
}

/** The server stores `*.example.com.` as `example.com`; a lookup by name follows the same rule. */
const resolveDomain = (client: ApiClient, ref: number | string) =>
  resolveId<Domain>(client, ref, {
    path: '/api/v1/domains',
    kind: 'domain',
    name: (d) => d.name,
    normalize: (n) => n.toLowerCase().replace(/^\*\./, '').replace(/\.$/, ''),
    hint: 'tarsier domain list',
  });

async function setDomain(ref: number | string, flags: SetFlags): Promise<void> {
  if (flags.sensitive && flags.notSensitive) throw new Error('give --sensitive or --not-sensitive, not both');
  const body = defined({
    sensitive: flags.sensitive ? true : flags.notSensitive ? false : undefined,
    description: flags.description,
  });
  if (Object.keys(body).length === 0)
    throw new Error('nothing to change: give --sensitive, --not-sensitive or --description');
  const client = connect(flags);
  const { id } = await resolveDomain(client, ref);
  const reply = await client.json<Domain>('PATCH', `/api/v1/domains/${id}`, { body });
  report(flags, reply.body, `updated domain ${id}`);
}

export function registerDomainCommands(program: Command): void {
  const domain = program.command('domain').description('registered domains; sensitive ones need approval to issue');

  withClientOptions(domain.command('list').description('list the registered domains')).action(
    async (flags: ClientFlags) => {
      const { body } = await connect(flags).json<{ items: Domain[] }>('GET', '/api/v1/domains');
      if (flags.json) printJson(body);
      else if (body.items.length === 0) print('no domains registered; add one with `tarsier domain add <name>`');
      else
        printTable(
          ['ID', 'NAME', 'SENSITIVE', 'ADDED BY', 'DESCRIPTION'],
          body.items.map((d) => [d.id, d.name, yesNo(d.sensitive), d.createdBy, d.description]),
        );
    },
  );

  withClientOptions(
    domain
      .command('add')
      .description('register a domain (it covers its subdomains)')
      .argument('<name>', 'e.g. example.com or *.payments.example.com')
      .option('--sensitive', 'hold requests for names under it until a security reviewer approves')
      .option('--description <text>', 'free text'),
  ).action(async (name: string, flags: ClientFlags & { sensitive?: boolean; description?: string }) => {
    const body = defined({ name, sensitive: flags.sensitive, description: flags.description });
    const reply = await connect(flags).json<Domain>('POST', '/api/v1/domains', { body });
    report(flags, reply.body, `added domain ${reply.body.id}`);
  });

  withClientOptions(
    domain
      .command('set')
      .description('mark a domain sensitive or not, or change its description')
      .argument('<domain>', 'domain id or name', idOrName)
      .option('--sensitive', 'hold requests for names under it until a security reviewer approves')
      .option('--not-sensitive', 'issue names under it at once')
      .option('--description <text>', 'free text'),
  ).action(setDomain);

  withClientOptions(
    domain
      .command('remove')
      .description('remove a domain from the registry')
      .argument('<domain>', 'domain id or name', idOrName),
  ).action(async (ref: number | string, flags: ClientFlags) => {
    const client = connect(flags);
    const { id, item } = await resolveDomain(client, ref);
    await client.bytes('DELETE', `/api/v1/domains/${id}`);
    if (flags.json) printJson({ id, name: item?.name, removed: true });
    else print(`removed domain ${id}${item ? ` (${item.name})` : ''}`);
  });
}
