// `tarsier destination plugins|list|show|create|update|delete|test|deploy|deployments`: where certificates are
// deployed (a directory, an SFTP host, a webhook), through /api/v1/destinations. Settings as in `tarsier issuer`.
import type { Command } from 'commander';
import { type ClientFlags, connect, withClientOptions } from './client.ts';
import { id, idOrName, list } from './options.ts';
import { formatTime, print, printFields, printJson, printTable } from './output.ts';
import { registerInstanceCommands } from './plugin-instances.ts';
import { type InstanceView, instanceFields } from './plugin-settings.ts';

interface Destination extends InstanceView {
  updatedAt: string;
}

interface Deployment {
  id: number;
  destination: string | null;
  destinationId: number;
  status: 'success' | 'failed';
  location: string | null;
  exitCode: number | null;
  output: string | null;
  error: string | null;
  deployedAt: string;
}

function printDestination(d: Destination): void {
  printFields(
    instanceFields(d, {
      end: [
        ['Created', formatTime(d.createdAt)],
        ['Updated', formatTime(d.updatedAt)],
      ],
    }),
  );
}

/** Prints deployments; a failed one makes the command exit 1, so scripts notice. */
function printDeployments(flags: ClientFlags, items: Deployment[], verbose: boolean): void {
  if (flags.json) printJson({ items });
  else if (items.length === 0) print('no deployments');
  else {
    printTable(
      ['ID', 'DESTINATION', 'STATUS', 'LOCATION', 'EXIT', 'WHEN'],
      items.map((d) => [
        d.id,
        d.destination ?? d.destinationId,
        d.status,
        d.location,
        d.exitCode,
        formatTime(d.deployedAt),
      ]),
    );
    for (const d of items.filter((x) => x.error || (verbose && x.output))) {
      print(`\n${d.destination ?? d.destinationId}: ${d.error ?? ''}`);
      if (d.output) print(d.output.trimEnd());
    }
  }
  if (items.some((d) => d.status === 'failed')) process.exitCode = 1;
}

export function registerDestinationCommands(program: Command): void {
  const { noun: dest, resolve: resolveDestination } = registerInstanceCommands<Destination>(program, {
    noun: 'destination',
    description: 'where certificates are deployed: directories, SFTP hosts, webhooks',
    verbs: { add: ['create', 'created'], set: ['update', 'updated'], remove: ['delete', 'deleted'] },
    list: {
      empty: 'no destinations; add one with `tarsier destination create NAME --plugin directory …`',
      columns: ['ID', 'NAME', 'PLUGIN', 'OWNER'],
      row: (d) => [d.id, d.name, d.plugin, d.owner],
    },
    show: printDestination,
    add: {
      description: 'create a destination',
      example: 'web1-nginx',
      plugins: 'directory, sftp or webhook (see tarsier destination plugins)',
    },
    setDescription: 'change settings or replace credentials',
    removeDescription: 'delete a destination nothing was deployed to',
  });

  withClientOptions(
    dest.command('test').description('prove a destination works now').argument('<destination>', 'id or name', idOrName),
  ).action(async (ref: number | string, flags: ClientFlags) => {
    const client = connect(flags);
    const { id: destId } = await resolveDestination(client, ref);
    const { body } = await client.json<{ ok: boolean; message: string }>('POST', `/api/v1/destinations/${destId}/test`);
    if (flags.json) printJson(body);
    else print(`${body.ok ? 'ok' : 'FAILED'}: ${body.message}`);
    if (!body.ok) process.exitCode = 1;
  });

  withClientOptions(
    dest
      .command('deploy')
      .description('deploy a certificate (default: again wherever it was deployed before)')
      .argument('<certificate>', 'certificate id', id)
      .option('--to <destinations>', 'destination ids or names, comma-separated; repeatable', list),
  ).action(async (certId: number, flags: ClientFlags & { to?: string[] }) => {
    const client = connect(flags);
    const ids = flags.to
      ? await Promise.all(flags.to.map(async (r) => (await resolveDestination(client, idOrName(r))).id))
      : undefined;
    const { body } = await client.json<{ items: Deployment[] }>('POST', `/api/v1/certificates/${certId}/deploy`, {
      body: ids ? { destinations: ids } : {},
    });
    printDeployments(flags, body.items, true);
  });

  withClientOptions(
    dest
      .command('deployments')
      .description("a certificate's deployments, newest first")
      .argument('<certificate>', 'certificate id', id),
  ).action(async (certId: number, flags: ClientFlags) => {
    const { body } = await connect(flags).json<{ items: Deployment[] }>(
      'GET',
      `/api/v1/certificates/${certId}/deployments`,
    );
    printDeployments(flags, body.items, false);
  });
}
