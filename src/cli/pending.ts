// `tarsier pending list|show|retry|cancel`: certificates an external issuer is still working on, through
// /api/v1/pending-certificates. `cert issue --issuer … --wait` uses waitForPending() to block until it is done.
import type { Command } from 'commander';
import { type ApiClient, type ClientFlags, connect, withClientOptions } from './client.ts';
import { choice, id, integer } from './options.ts';
import { formatTime, print, printFields, printJson, printTable } from './output.ts';

export interface Pending {
  id: number;
  issuerId: number;
  issuer: string;
  status: 'pending' | 'issued' | 'failed' | 'cancelled';
  commonName: string;
  names: string[];
  owner: string | null;
  message: string | null;
  attempts: number;
  lastError: string | null;
  upstreamError: string | null;
  nextAttemptAt: string | null;
  certificateId: number | null;
  createdAt: string;
  createdBy: string | null;
  updatedAt: string;
}

const path = (pendingId: number, action = '') => `/api/v1/pending-certificates/${pendingId}${action}`;

export function printPending(p: Pending): void {
  printFields([
    ['ID', p.id],
    ['Status', p.status],
    ['Issuer', `${p.issuer} (${p.issuerId})`],
    ['Names', p.names],
    ['Owner', p.owner],
    ['Message', p.message],
    ['Attempts', p.attempts],
    ['Next attempt', formatTime(p.nextAttemptAt)],
    ['Last error', p.lastError],
    ['Issuer said', p.upstreamError],
    ['Certificate', p.certificateId === null ? undefined : `${p.certificateId} (tarsier cert show ${p.certificateId})`],
    ['Requested', `${formatTime(p.createdAt)} by ${p.createdBy ?? 'unknown'}`],
    ['Updated', formatTime(p.updatedAt)],
  ]);
}

/** Polls until the pending certificate leaves `pending`; throws when it failed or was cancelled. */
export async function waitForPending(client: ApiClient, pendingId: number, timeoutSeconds: number): Promise<Pending> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const { body } = await client.json<Pending>('GET', path(pendingId));
    if (body.status === 'issued') return body;
    if (body.status !== 'pending') {
      const why = [body.lastError, body.upstreamError].filter(Boolean).join(': ');
      throw new Error(`pending certificate ${pendingId} ${body.status}${why ? `: ${why}` : ''}`);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `pending certificate ${pendingId} is still pending after ${timeoutSeconds} s; see tarsier pending show ${pendingId}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function report(flags: ClientFlags, p: Pending, headline: string): void {
  if (flags.json) {
    printJson(p);
    return;
  }
  print(headline);
  printPending(p);
}

export function registerPendingCommands(program: Command): void {
  const pending = program
    .command('pending')
    .description('certificates an external issuer (ACME, CFSSL) is still working on');

  withClientOptions(
    pending
      .command('list')
      .description('list pending certificates, newest first')
      .option(
        '--status <status>',
        'pending, issued, failed or cancelled',
        choice(['pending', 'issued', 'failed', 'cancelled'] as const),
      )
      .option('--issuer <id>', 'only this issuer', id)
      .option('--limit <n>', 'at most this many (default 100)', integer),
  ).action(async (flags: ClientFlags & { status?: string; issuer?: number; limit?: number }) => {
    const query = { status: flags.status, issuerId: flags.issuer, limit: flags.limit };
    const { body } = await connect(flags).json<{ items: Pending[] }>('GET', '/api/v1/pending-certificates', { query });
    if (flags.json) printJson(body);
    else if (body.items.length === 0) print('no pending certificates');
    else
      printTable(
        ['ID', 'STATUS', 'ISSUER', 'NAME', 'ATTEMPTS', 'CERT', 'LAST ERROR'],
        body.items.map((p) => [p.id, p.status, p.issuer, p.commonName, p.attempts, p.certificateId, p.lastError]),
      );
  });

  withClientOptions(
    pending
      .command('show')
      .description('show one pending certificate')
      .argument('<id>', 'pending certificate id', id)
      .option('--wait [seconds]', 'wait until it is issued, failed or cancelled (default 300 s)', integer),
  ).action(async (pendingId: number, flags: ClientFlags & { wait?: number | boolean }) => {
    const client = connect(flags);
    if (flags.wait !== undefined) {
      const done = await waitForPending(client, pendingId, typeof flags.wait === 'number' ? flags.wait : 300);
      return report(flags, done, `pending certificate ${pendingId} issued`);
    }
    const { body } = await client.json<Pending>('GET', path(pendingId));
    if (flags.json) printJson(body);
    else printPending(body);
  });

  for (const [verb, what] of [
    ['retry', 'try again now (a failed one is re-opened)'],
    ['cancel', 'give up on it; the issuer is told where it can be'],
  ] as const) {
    withClientOptions(pending.command(verb).description(what).argument('<id>', 'pending certificate id', id)).action(
      async (pendingId: number, flags: ClientFlags) => {
        const { body } = await connect(flags).json<Pending>('POST', path(pendingId, `/${verb}`));
        report(flags, body, `pending certificate ${pendingId}: ${body.status}`);
      },
    );
  }
}
