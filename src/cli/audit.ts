// `tarsier audit list|verify`: the audit log, through /api/v1/audit-events. `verify` exits 1 when the hash chain
// is broken, naming the first altered or missing event, so that a cron job or a CI step can alert on it.
import { type Command, InvalidArgumentError } from 'commander';
import { type ClientFlags, connect, type Query, withClientOptions } from './client.ts';
import { integer } from './options.ts';
import { print, printJson, printTable } from './output.ts';

/** The fields of an event the CLI prints; --json shows all of it. */
interface AuditEvent {
  id: number;
  seq: number;
  at: string;
  actor: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  clientAddress: string | null;
  outcome: string;
}

type AuditPage = { items: AuditEvent[]; next: string | null };

interface ChainReport {
  ok: boolean;
  count: number;
  headSeq?: number;
  reason?: string;
  firstBadId?: number | null;
  seq?: number | null;
  message?: string;
}

interface ListFlags extends ClientFlags {
  actor?: string;
  action?: string;
  target?: { type: string; id?: string };
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
  all?: boolean;
}

/** `certificate:42` -> type and id; `certificate` alone -> every certificate. */
function target(value: string): { type: string; id?: string } {
  const colon = value.indexOf(':');
  const type = colon < 0 ? value : value.slice(0, colon);
  const id = colon < 0 ? undefined : value.slice(colon + 1);
  if (!type || id === '') throw new InvalidArgumentError(`expected type:id (e.g. certificate:42), got '${value}'.`);
  return { type, id };
}

function listQuery(f: ListFlags): Query {
  return {
    actor: f.actor,
    action: f.action,
    targetType: f.target?.type,
    targetId: f.target?.id,
    since: f.since,
    until: f.until,
    limit: f.limit,
    cursor: f.cursor,
  };
}

async function listEvents(flags: ListFlags): Promise<void> {
  const client = connect(flags);
  const query = listQuery(flags);
  const path = '/api/v1/audit-events';
  let page = (await client.json<AuditPage>('GET', path, { query })).body;
  if (flags.all) {
    const items = [...page.items];
    while (page.next) {
      page = (await client.json<AuditPage>('GET', path, { query: { ...query, cursor: page.next } })).body;
      items.push(...page.items);
    }
    page = { items, next: null };
  }
  if (flags.json) printJson(page);
  else if (page.items.length === 0) print('no audit events match');
  else {
    printTable(
      ['ID', 'AT', 'ACTOR', 'ACTION', 'TARGET', 'OUTCOME', 'CLIENT'],
      page.items.map((e) => [
        e.id,
        e.at,
        e.actor,
        e.action,
        e.targetType ? `${e.targetType}:${e.targetId ?? ''}` : null,
        e.outcome,
        e.clientAddress,
      ]),
    );
    if (page.next) print(`\nmore: tarsier audit list … --cursor ${page.next} (or --all)`);
  }
}

async function verifyChain(flags: ClientFlags): Promise<void> {
  const { body } = await connect(flags).json<ChainReport>('POST', '/api/v1/audit-events/verify');
  if (flags.json) printJson(body);
  if (!body.ok) {
    const where = body.firstBadId ? `event ${body.firstBadId}` : `the end of the log (#${body.seq})`;
    throw new Error(`the audit log is broken at ${where}: ${body.reason}; ${body.message ?? ''}`.trim());
  }
  if (!flags.json) print(`the audit log is intact: ${body.count} events, head #${body.headSeq}`);
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the audit log: who changed what, and when');

  withClientOptions(
    audit
      .command('list')
      .description('list audit events, newest first')
      .option('--actor <actor>', 'who acted, e.g. user:alice')
      .option('--action <action>', 'e.g. certificate.issue, certificate.export-key, auth.login')
      .option('--target <type:id>', 'what was acted on, e.g. certificate:42 (or just certificate)', target)
      .option('--since <time>', 'at or after: 2026-05-01 or 2026-05-01T12:00:00Z')
      .option('--until <time>', 'at or before (a bare date includes its whole day)')
      .option('--limit <n>', 'page size (at most 500)', integer)
      .option('--cursor <cursor>', 'the page after this cursor (printed under a full page)')
      .option('--all', 'follow the cursor to the last page'),
  ).action(listEvents);

  withClientOptions(
    audit
      .command('verify')
      .description('check the hash chain; exits 1 naming the first altered or missing event when it is broken'),
  ).action(verifyChain);
}
