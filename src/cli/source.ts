// `tarsier source plugins|list|show|add|set|remove|run|runs|items`: discovery sources through /api/v1/sources.
// `source run NAME` starts a run and shows its progress until it ends (long scans of ranges take minutes), then
// the items that failed and the problems found; --no-wait only starts it.
import type { Command } from 'commander';
import { type ApiClient, type ClientFlags, connect, withClientOptions } from './client.ts';
import { choice, id, idOrName, integer, list } from './options.ts';
import { formatTime, print, printFields, printJson, printTable } from './output.ts';
import { registerInstanceCommands } from './plugin-instances.ts';
import { type InstanceView, instanceFields, resolveInstance, type SettingsFlags, settings } from './plugin-settings.ts';

interface Run {
  id: number;
  sourceId: number;
  status: 'running' | 'finished' | 'failed';
  itemsTotal: number | null;
  itemsDone: number;
  itemsFailed: number;
  certificatesNew: number;
  endpointsGone: number;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

interface Source extends InstanceView {
  lastRun: Run | null;
}

interface Item {
  id: number;
  target: string;
  status: 'ok' | 'error' | 'skipped';
  message: string | null;
  certificateId: number | null;
  change: string | null;
  isNew: boolean;
  problems: string[];
}

type SourceFlags = SettingsFlags & { target?: string[]; path?: string[] };

/** --target and --path are shorthands for the most used options of the tls and directory plugins. */
function body(flags: SourceFlags) {
  const s = settings(flags);
  const extra = { ...(flags.target ? { targets: flags.target } : {}), ...(flags.path ? { paths: flags.path } : {}) };
  return Object.keys(extra).length ? { ...s, options: { ...s.options, ...extra } } : s;
}

const runLine = (r: Run) =>
  `run ${r.id}: ${r.status}, ${r.itemsDone}${r.itemsTotal === null ? '' : `/${r.itemsTotal}`} items, ` +
  `${r.itemsFailed} failed, ${r.certificatesNew} new certificates` +
  (r.status === 'running' ? '' : `, ${r.endpointsGone} endpoints gone`) +
  (r.error ? ` (${r.error})` : '');

function printSource(s: Source): void {
  printFields(
    instanceFields(s, {
      end: [
        ['Last run', s.lastRun ? runLine(s.lastRun) : '(never run)'],
        ['Created', formatTime(s.createdAt)],
      ],
    }),
  );
}

const resolveSource = (client: ApiClient, ref: number | string) => resolveInstance<Source>(client, ref, 'source');

/** Polls the run, printing a progress line whenever it moves (to stderr, so --json output stays clean). */
async function follow(client: ApiClient, run: Run, intervalMs = 500): Promise<Run> {
  let last = '';
  let current = run;
  for (;;) {
    const line = runLine(current);
    if (line !== last) process.stderr.write(`${line}\n`);
    last = line;
    if (current.status !== 'running') return current;
    await new Promise((r) => setTimeout(r, intervalMs));
    current = (await client.json<Run>('GET', `/api/v1/sources/runs/${run.id}`)).body;
  }
}

async function printOutcome(client: ApiClient, run: Run): Promise<void> {
  const { body: page } = await client.json<{ items: Item[] }>('GET', `/api/v1/sources/runs/${run.id}/items`, {
    query: { limit: 1000 },
  });
  const notable = page.items.filter((i) => i.status === 'error' || i.problems.length || i.change === 'changed');
  if (notable.length)
    printTable(
      ['TARGET', 'STATUS', 'CERT', 'CHANGE', 'PROBLEMS / MESSAGE'],
      notable.map((i) => [i.target, i.status, i.certificateId, i.change, i.message ?? i.problems.join(', ')]),
    );
  print(runLine(run));
}

function registerRun(source: Command): void {
  withClientOptions(
    source
      .command('run')
      .description('scan now and show progress until the run ends')
      .argument('<source>', 'id or name', idOrName)
      .option('--no-wait', 'start the run and return at once'),
  ).action(async (ref: number | string, flags: ClientFlags & { wait: boolean }) => {
    const client = connect(flags);
    const { id: sourceId } = await resolveSource(client, ref);
    const started = (await client.json<Run>('POST', `/api/v1/sources/${sourceId}/run`, { body: {} })).body;
    const run = flags.wait ? await follow(client, started) : started;
    if (flags.json) printJson(run);
    else if (!flags.wait) print(`${runLine(run)}; follow it with tarsier source runs ${sourceId}`);
    else await printOutcome(client, run);
    if (run.status === 'failed') process.exitCode = 1;
  });

  withClientOptions(
    source
      .command('runs')
      .description('the runs of a source, newest first')
      .argument('<source>', 'id or name', idOrName)
      .option('--limit <n>', 'at most this many (default 20)', integer),
  ).action(async (ref: number | string, flags: ClientFlags & { limit?: number }) => {
    const client = connect(flags);
    const { id: sourceId } = await resolveSource(client, ref);
    const { body: runs } = await client.json<{ items: Run[] }>('GET', `/api/v1/sources/${sourceId}/runs`, {
      query: { limit: flags.limit },
    });
    if (flags.json) printJson(runs);
    else
      printTable(
        ['RUN', 'STATUS', 'ITEMS', 'FAILED', 'NEW CERTS', 'GONE', 'STARTED'],
        runs.items.map((r) => [
          r.id,
          r.status,
          r.itemsDone,
          r.itemsFailed,
          r.certificatesNew,
          r.endpointsGone,
          formatTime(r.startedAt),
        ]),
      );
  });

  withClientOptions(
    source
      .command('items')
      .description('what one run found, item by item')
      .argument('<run>', 'run id', id)
      .option('--status <status>', 'ok, error or skipped', choice(['ok', 'error', 'skipped'] as const))
      .option('--limit <n>', 'at most this many (default 100)', integer),
  ).action(async (runId: number, flags: ClientFlags & { status?: string; limit?: number }) => {
    const { body: page } = await connect(flags).json<{ items: Item[] }>('GET', `/api/v1/sources/runs/${runId}/items`, {
      query: { status: flags.status, limit: flags.limit },
    });
    if (flags.json) printJson(page);
    else
      printTable(
        ['TARGET', 'STATUS', 'CERT', 'NEW', 'CHANGE', 'PROBLEMS / MESSAGE'],
        page.items.map((i) => [
          i.target,
          i.status,
          i.certificateId,
          i.isNew ? 'yes' : '',
          i.change,
          i.message ?? i.problems.join(', '),
        ]),
      );
  });
}

export function registerSourceCommands(program: Command): void {
  const { noun: source } = registerInstanceCommands<Source, SourceFlags>(program, {
    noun: 'source',
    description: 'discovery sources: TLS endpoints and certificate directories',
    verbs: { add: ['add', 'added'], set: ['set', 'updated'], remove: ['remove', 'removed'] },
    list: {
      empty: 'no sources; add one with `tarsier source add NAME --plugin tls --target host:443`',
      columns: ['ID', 'NAME', 'PLUGIN', 'LAST RUN'],
      row: (s) => [s.id, s.name, s.plugin, s.lastRun ? runLine(s.lastRun) : null],
    },
    show: printSource,
    add: {
      description: 'create a source (settings are checked, nothing is scanned yet)',
      example: 'dmz-web',
      plugins: 'tls or directory (see tarsier source plugins)',
      headline: (s) => `added source ${s.id}; scan it with tarsier source run ${s.name}`,
    },
    setDescription: 'change settings or replace credentials',
    removeDescription: 'delete a source and its run history',
    flags: (c) =>
      c
        .option('--target <target>', 'tls: host, host:port, CIDR or sni@host:port; repeat or comma-separate', list)
        .option('--path <dir>', 'directory: an absolute directory to scan; repeat for several', list),
    body,
  });
  registerRun(source);
}
