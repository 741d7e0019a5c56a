// Rotation in the CLI: `tarsier cert rotation <id> --on|--off` (automatic rotation settings) and the bulk form of
// `tarsier cert rotate --filter key=value … [--dry-run]`, through /api/v1/certificates/:id/rotation and
// /api/v1/rotations/bulk.
import type { Command } from 'commander';
import { type ClientFlags, connect, withClientOptions } from './client.ts';
import { id, integer } from './options.ts';
import { print, printFields, printJson, printTable } from './output.ts';

interface Settings {
  certificateId: number;
  enabled: boolean;
  daysBefore: number;
  revokeAfterDays: number | null;
  lastRotation: { status: string; newCertificateId: number | null; attempts: number; lastError: string | null } | null;
}
interface BulkItem {
  certificateId: number;
  commonName: string;
  notAfter: string;
  action: string;
  reason: string | null;
  newCertificateId?: number;
  pendingId?: number;
}

/** The bulk rotation behind `cert rotate --filter`: lists (dry run) or rotates every matching certificate. */
export async function rotateByFilter(flags: ClientFlags & { filter: Record<string, unknown>; dryRun?: boolean }) {
  const { body } = await connect(flags).json<{ dryRun: boolean; items: BulkItem[] }>('POST', '/api/v1/rotations/bulk', {
    body: { filter: flags.filter, dryRun: Boolean(flags.dryRun) },
  });
  if (flags.json) return printJson(body);
  if (body.dryRun) print(`dry run: ${body.items.filter((i) => i.action === 'rotate').length} would be rotated`);
  printTable(
    ['ID', 'NAME', 'EXPIRES', 'ACTION', 'NEW', 'REASON'],
    body.items.map((i) => [
      i.certificateId,
      i.commonName,
      i.notAfter.slice(0, 10),
      i.action,
      i.newCertificateId ?? i.pendingId,
      i.reason,
    ]),
  );
}

export function registerRotationCommands(cert: Command): void {
  withClientOptions(
    cert
      .command('rotation')
      .description('show or change automatic rotation of a certificate')
      .argument('<id>', 'certificate id', id)
      .option('--on', 'rotate automatically before expiry')
      .option('--off', 'stop rotating automatically')
      .option('--days <n>', 'days before expiry to rotate', integer)
      .option('--revoke-after <days>', 'revoke the replaced certificate this many days after rotation', integer),
  ).action(
    async (
      certId: number,
      flags: ClientFlags & { on?: boolean; off?: boolean; days?: number; revokeAfter?: number },
    ) => {
      const client = connect(flags);
      const path = `/api/v1/certificates/${certId}/rotation`;
      const change = flags.on || flags.off;
      const body = { enabled: Boolean(flags.on), daysBefore: flags.days, revokeAfterDays: flags.revokeAfter };
      const { body: s } = await client.json<Settings>(change ? 'PUT' : 'GET', path, change ? { body } : {});
      if (flags.json) return printJson(s);
      printFields([
        ['Certificate', s.certificateId],
        ['Automatic rotation', s.enabled ? `on, ${s.daysBefore} days before expiry` : 'off'],
        ['Revoke replaced after', s.revokeAfterDays === null ? 'never' : `${s.revokeAfterDays} days`],
        ['Last rotation', s.lastRotation ? `${s.lastRotation.status} (${s.lastRotation.attempts} attempts)` : 'none'],
        ['Replacement', s.lastRotation?.newCertificateId ?? undefined],
        ['Last error', s.lastRotation?.lastError ?? undefined],
      ]);
    },
  );
}
