// `tarsier request list|show|approve|reject`: certificate requests held for approval because a name falls under
// a sensitive domain, through /api/v1/requests. Approval issues the certificate on the requester's behalf; a
// request whose issuance then fails exits 1 with the reason. `cert issue` reports a held request with heldMessage().
import type { Command } from 'commander';
import { type ClientFlags, connect, withClientOptions } from './client.ts';
import { choice, defined, id, integer } from './options.ts';
import { formatTime, print, printFields, printJson, printTable } from './output.ts';

/** A request as the API sends it. */
export interface CertificateRequest {
  id: number;
  status: string;
  authorityId: number;
  requestedBy: string;
  reason: string | null;
  names: string[];
  heldFor: Array<{ name: string; why: string }>;
  createdAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  comment: string | null;
  certificateId: number | null;
  error: string | null;
}

/** The answer to POST /api/v1/certificates when a name needs approval (HTTP 202). */
export interface HeldReply {
  status: 'pending-approval';
  request: CertificateRequest;
}

const STATUSES = ['pending', 'approved', 'rejected', 'failed'] as const;

interface ListFlags extends ClientFlags {
  status?: string;
  mine?: boolean;
  limit?: number;
}

/** One line for `cert issue`: which request, which names and why, and what happens next. */
export function heldMessage(r: CertificateRequest): string {
  const why = r.heldFor.map((h) => `${h.name} (${h.why})`).join(', ');
  return `held for approval as request ${r.id}: ${why}; a security reviewer must approve it before the certificate is issued (tarsier request show ${r.id})`;
}

/** What `cert issue` prints for a held request; files it was asked to write are not written, and it says so. */
export function reportHeld(flags: ClientFlags & { out?: string; keyOut?: string }, held: HeldReply): void {
  if (flags.json) printJson(held);
  else print(heldMessage(held.request));
  const files = [flags.out, flags.keyOut].filter(Boolean);
  if (files.length)
    process.stderr.write(
      `nothing was written to ${files.join(' or ')}: once approved, use \`tarsier cert export\` on the certificate\n`,
    );
}

function printRequest(r: CertificateRequest): void {
  printFields([
    ['ID', r.id],
    ['Status', r.status],
    ['Authority', `#${r.authorityId}`],
    ['Requested by', r.requestedBy],
    ['Requested', formatTime(r.createdAt)],
    ['Reason', r.reason],
    ['Names', r.names],
    ['Held for', r.heldFor.map((h) => `${h.name} (${h.why})`)],
    ['Decided by', r.decidedBy],
    ['Decided', formatTime(r.decidedAt)],
    ['Comment', r.comment],
    ['Certificate', r.certificateId],
    ['Error', r.error],
  ]);
}

async function listRequests(flags: ListFlags): Promise<void> {
  const { body } = await connect(flags).json<{ items: CertificateRequest[] }>('GET', '/api/v1/requests', {
    query: { status: flags.status, mine: flags.mine, limit: flags.limit },
  });
  if (flags.json) printJson(body);
  else if (body.items.length === 0) print(flags.status ? `no ${flags.status} requests` : 'no requests');
  else
    printTable(
      ['ID', 'STATUS', 'REQUESTED BY', 'REQUESTED', 'AUTHORITY', 'CERTIFICATE', 'NAMES'],
      body.items.map((r) => [
        r.id,
        r.status,
        r.requestedBy,
        formatTime(r.createdAt),
        `#${r.authorityId}`,
        r.certificateId,
        r.names.join(','),
      ]),
    );
}

async function decide(action: 'approve' | 'reject', requestId: number, flags: ClientFlags & { comment?: string }) {
  const { body } = await connect(flags).json<CertificateRequest>('POST', `/api/v1/requests/${requestId}/${action}`, {
    body: defined({ comment: flags.comment }),
  });
  if (flags.json) printJson(body);
  if (body.status === 'failed')
    throw new Error(`request ${requestId} was approved, but issuing the certificate failed: ${body.error}`);
  if (flags.json) return;
  print(
    action === 'approve'
      ? `approved request ${requestId}: issued certificate ${body.certificateId}`
      : `rejected request ${requestId}`,
  );
  printRequest(body);
}

export function registerRequestCommands(program: Command): void {
  const request = program
    .command('request')
    .description('certificate requests held for approval (names under sensitive domains)');

  withClientOptions(
    request
      .command('list')
      .description('list requests, newest first (yours only, unless you may approve)')
      .option('--status <status>', STATUSES.join(', '), choice(STATUSES))
      .option('--mine', 'only the requests you made')
      .option('--limit <n>', 'at most this many (default 100, at most 500)', integer),
  ).action(listRequests);

  withClientOptions(request.command('show').description('show one request').argument('<id>', 'request id', id)).action(
    async (requestId: number, flags: ClientFlags) => {
      const { body } = await connect(flags).json<CertificateRequest>('GET', `/api/v1/requests/${requestId}`);
      if (flags.json) printJson(body);
      else printRequest(body);
    },
  );

  for (const [action, what] of [
    ['approve', 'approve a pending request: the certificate is issued on behalf of the requester'],
    ['reject', 'reject a pending request'],
  ] as const) {
    withClientOptions(
      request
        .command(action)
        .description(what)
        .argument('<id>', 'request id', id)
        .option('--comment <text>', 'why, e.g. a ticket number (kept in the request and the audit log)'),
    ).action((requestId: number, flags: ClientFlags & { comment?: string }) => decide(action, requestId, flags));
  }
}
