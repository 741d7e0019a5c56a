// The alerts that understand deployment: a replacement not deployed where its predecessor was, and a destination
// or endpoint still holding a replaced certificate. Each is one query behind an AutomationCheck; both wait a grace
// period (TARSIER_DEPLOY_GRACE_MINUTES) so a deployment in progress is not reported.
import type { Db } from '../../db/index.ts';
import type { NoticeItem } from './messages.ts';
import { certificateItem } from './trigger-queries.ts';
import type { AutomationCheck } from './triggers.ts';

const MINUTE = 60_000;

const certificateColumns = ['c.id', 'c.common_name', 'c.owner', 'c.authority_id', 'c.labels', 'c.not_after'] as const;

const itemOf = (r: Parameters<typeof certificateItem>[0], detail: string): NoticeItem => ({
  ...certificateItem(r),
  detail,
});

/**
 * Live replacements issued more than `graceMs` ago that have no successful deployment to a destination their
 * predecessor was deployed to; one item per replacement, naming the destinations.
 */
export async function undeployedReplacements(db: Db, now: Date, graceMs: number): Promise<NoticeItem[]> {
  const rows = await db
    .selectFrom('certificates as c')
    .innerJoin('deployments as was', (j) =>
      j.onRef('was.certificate_id', '=', 'c.replaces_id').on('was.status', '=', 'success'),
    )
    .innerJoin('destinations as dest', 'dest.id', 'was.destination_id')
    .select([...certificateColumns, 'dest.name as destination'])
    .distinct()
    .where('c.notify', '=', 1)
    .where('c.revoked_at', 'is', null)
    .where('c.archived_at', 'is', null)
    .where('c.replaced_by_id', 'is', null)
    .where('c.not_before', '<=', new Date(now.getTime() - graceMs).toISOString())
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('deployments as now')
            .select('now.id')
            .whereRef('now.certificate_id', '=', 'c.id')
            .whereRef('now.destination_id', '=', 'was.destination_id')
            .where('now.status', '=', 'success'),
        ),
      ),
    )
    .orderBy('c.id')
    .orderBy('dest.name')
    .execute();
  const byCertificate = new Map<number, { row: (typeof rows)[number]; places: string[] }>();
  for (const r of rows) {
    const entry = byCertificate.get(r.id) ?? { row: r, places: [] };
    entry.places.push(r.destination);
    byCertificate.set(r.id, entry);
  }
  return [...byCertificate.values()].map(({ row, places }) =>
    itemOf(row, `not deployed to ${places.join(', ')}, where certificate ${row.id} replaced one was`),
  );
}

/**
 * Endpoints (TLS services, deployed files) that still show a certificate replaced more than `graceMs` ago;
 * one item per endpoint, about the certificate it still shows.
 */
export async function staleEndpoints(db: Db, now: Date, graceMs: number): Promise<NoticeItem[]> {
  const rows = await db
    .selectFrom('endpoints as e')
    .innerJoin('certificates as c', 'c.id', 'e.certificate_id')
    .innerJoin('certificates as next', 'next.id', 'c.replaced_by_id')
    .select([...certificateColumns, 'e.id as endpoint_id', 'e.location', 'next.id as next_id'])
    .where('e.status', '!=', 'gone')
    .where('c.notify', '=', 1)
    .where('next.not_before', '<=', new Date(now.getTime() - graceMs).toISOString())
    .orderBy('e.id')
    .execute();
  return rows.map((r) => ({
    ...itemOf(r, `${r.location} still shows it, though certificate ${r.next_id} replaced it`),
    endpointId: r.endpoint_id,
  }));
}

export const notDeployedCheck = (graceMinutes: number): AutomationCheck => ({
  event: 'not-deployed',
  key: () => 'not-deployed',
  find: (db, now) => undeployedReplacements(db, now, graceMinutes * MINUTE),
});

export const staleDeploymentCheck = (graceMinutes: number): AutomationCheck => ({
  event: 'stale-deployment',
  // Once per endpoint for each certificate it still shows.
  key: (i) => `stale-deployment:${i.endpointId}`,
  find: (db, now) => staleEndpoints(db, now, graceMinutes * MINUTE),
});
