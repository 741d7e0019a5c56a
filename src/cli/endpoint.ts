// `tarsier endpoint list|show`: the places certificates were seen (TLS endpoints, files, destination paths)
// through /api/v1/endpoints; `endpoint list --certificate ID` lists one certificate's places.
import type { Command } from 'commander';
import { type ClientFlags, connect, withClientOptions } from './client.ts';
import { choice, id, integer } from './options.ts';
import { formatTime, print, printFields, printJson, printTable } from './output.ts';

interface Endpoint {
  id: number;
  kind: string;
  location: string;
  status: string;
  certificateId: number | null;
  previousCertificateId: number | null;
  problems: string[];
  sourceId: number | null;
  firstSeenAt: string;
  lastSeenAt: string;
  changedAt: string | null;
  goneAt: string | null;
  current?: boolean;
  certificates?: { certificateId: number; firstSeenAt: string; lastSeenAt: string }[];
}

type ListFlags = ClientFlags & {
  status?: string;
  kind?: string;
  source?: number;
  q?: string;
  limit?: number;
  certificate?: number;
};

export function registerEndpointCommands(program: Command): void {
  const endpoint = program
    .command('endpoint')
    .description('where certificates were seen: TLS endpoints, files, destinations');

  withClientOptions(
    endpoint
      .command('list')
      .description('list endpoints')
      .option('--status <status>', 'current, changed or gone', choice(['current', 'changed', 'gone'] as const))
      .option('--kind <kind>', 'tls, file or destination', choice(['tls', 'file', 'destination'] as const))
      .option('--source <id>', 'only those this source saw', id)
      .option('--q <text>', 'part of the location')
      .option('--certificate <id>', "one certificate's endpoints", id)
      .option('--limit <n>', 'at most this many (default 100)', integer),
  ).action(async (flags: ListFlags) => {
    const client = connect(flags);
    const { body: page } = flags.certificate
      ? await client.json<{ items: Endpoint[] }>('GET', `/api/v1/certificates/${flags.certificate}/endpoints`)
      : await client.json<{ items: Endpoint[] }>('GET', '/api/v1/endpoints', {
          query: { status: flags.status, kind: flags.kind, sourceId: flags.source, q: flags.q, limit: flags.limit },
        });
    if (flags.json) return printJson(page);
    if (page.items.length === 0) return print('no endpoints; run a source to find some (tarsier source run NAME)');
    printTable(
      ['ID', 'LOCATION', 'STATUS', 'CERT', 'PROBLEMS', 'LAST SEEN'],
      page.items.map((e) => [
        e.id,
        e.location,
        e.status,
        e.certificateId,
        e.problems.join(', '),
        formatTime(e.lastSeenAt),
      ]),
    );
  });

  withClientOptions(
    endpoint.command('show').description('one endpoint and its history').argument('<id>', 'endpoint id', id),
  ).action(async (endpointId: number, flags: ClientFlags) => {
    const { body: e } = await connect(flags).json<Endpoint>('GET', `/api/v1/endpoints/${endpointId}`);
    if (flags.json) return printJson(e);
    printFields([
      ['ID', e.id],
      ['Location', e.location],
      ['Status', e.status],
      ['Certificate', e.certificateId],
      ['Before', e.previousCertificateId],
      ['Problems', e.problems.length ? e.problems : '(none)'],
      ['First seen', formatTime(e.firstSeenAt)],
      ['Last seen', formatTime(e.lastSeenAt)],
      ['Changed', formatTime(e.changedAt)],
      ['Gone', formatTime(e.goneAt)],
      [
        'History',
        (e.certificates ?? []).map(
          (c) => `certificate ${c.certificateId}: ${formatTime(c.firstSeenAt)} – ${formatTime(c.lastSeenAt)}`,
        ),
      ],
    ]);
  });
}
