// The queries behind the notification triggers: what is about to expire, what was revoked, which automatic
// rotations are overdue, and the counts of the security summary. Each returns what a notice lists.
import type { Db } from '../../db/index.ts';
import type { NoticeItem } from './messages.ts';

const certificateItem = (r: {
  id: number;
  common_name: string;
  owner: string | null;
  authority_id: number | null;
  labels: string;
  not_after: string;
}): NoticeItem => ({
  kind: 'certificate',
  id: r.id,
  name: r.common_name,
  owner: r.owner,
  authorityId: r.authority_id,
  labels: JSON.parse(r.labels) as Record<string, string>,
  notAfter: r.not_after,
});

/** Live certificates with notices on: not revoked, archived or replaced. */
const liveCertificates = (db: Db) =>
  db
    .selectFrom('certificates')
    .leftJoin('rotation_settings', 'rotation_settings.certificate_id', 'certificates.id')
    .select([
      'certificates.id',
      'certificates.common_name',
      'certificates.owner',
      'certificates.authority_id',
      'certificates.labels',
      'certificates.not_after',
      'rotation_settings.enabled as rotation_enabled',
      'rotation_settings.days_before',
    ])
    .where('certificates.notify', '=', 1)
    .where('certificates.revoked_at', 'is', null)
    .where('certificates.archived_at', 'is', null)
    .where('certificates.replaced_by_id', 'is', null)
    .orderBy('certificates.id');

/**
 * Certificates expiring in (now, until] that are not rotated automatically: an automated one gets alerts about
 * its automation instead (overdueRotations), not plain expiry warnings.
 */
export async function expiringCertificates(db: Db, now: string, until: string): Promise<NoticeItem[]> {
  const rows = await liveCertificates(db)
    .where('certificates.not_after', '>', now)
    .where('certificates.not_after', '<=', until)
    .where((eb) => eb.or([eb('rotation_settings.enabled', 'is', null), eb('rotation_settings.enabled', '=', 0)]))
    .execute();
  return rows.map(certificateItem);
}

/** Certificates with rotation on whose rotation should have happened at least a day before `dueBefore`. */
export async function overdueRotations(db: Db, now: Date): Promise<NoticeItem[]> {
  const rows = await liveCertificates(db)
    .where('rotation_settings.enabled', '=', 1)
    .where('certificates.not_after', '<=', new Date(now.getTime() + 400 * 86_400_000).toISOString())
    .execute();
  return rows
    .filter((r) => Date.parse(r.not_after) - ((r.days_before ?? 0) - 1) * 86_400_000 <= now.getTime())
    .map((r) => ({ ...certificateItem(r), detail: `rotation was due ${r.days_before} days before expiry` }));
}

/** Certificates revoked since `since` (by a user, or found revoked by a revocation check). */
export async function revokedSince(db: Db, since: string): Promise<NoticeItem[]> {
  const rows = await db
    .selectFrom('certificates')
    .select(['id', 'common_name', 'owner', 'authority_id', 'labels', 'not_after', 'revocation_reason'])
    .where('notify', '=', 1)
    .where('revoked_at', '>=', since)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...certificateItem(r), detail: `revoked (${r.revocation_reason ?? 'unspecified'})` }));
}

export async function expiringAuthorities(db: Db, now: string, until: string): Promise<NoticeItem[]> {
  const rows = await db
    .selectFrom('authorities')
    .select(['id', 'name', 'owner', 'not_after'])
    .where('not_after', '>', now)
    .where('not_after', '<=', until)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    kind: 'authority',
    id: r.id,
    name: r.name,
    owner: r.owner,
    authorityId: r.id,
    labels: {},
    notAfter: r.not_after,
  }));
}

const count = async (q: { executeTakeFirstOrThrow(): Promise<{ n: number | string | bigint }> }) =>
  Number((await q.executeTakeFirstOrThrow()).n);

/** The figures of the security summary. */
export async function summaryFacts(db: Db, now: Date): Promise<Record<string, number>> {
  const iso = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();
  const certs = () => db.selectFrom('certificates').select((eb) => eb.fn.countAll<number>().as('n'));
  return {
    'certificates expiring within 30 days': await count(
      certs()
        .where('revoked_at', 'is', null)
        .where('replaced_by_id', 'is', null)
        .where('archived_at', 'is', null)
        .where('not_after', '>', iso(0))
        .where('not_after', '<=', iso(30)),
    ),
    'certificates expired in the last 7 days and not replaced': await count(
      certs().where('replaced_by_id', 'is', null).where('not_after', '<=', iso(0)).where('not_after', '>', iso(-7)),
    ),
    'certificates revoked in the last 7 days': await count(certs().where('revoked_at', '>=', iso(-7))),
    'automatic rotations failing': await count(
      db
        .selectFrom('rotations')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'failed'),
    ),
    'notifications that could not be delivered': await count(
      db
        .selectFrom('notification_deliveries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'failed'),
    ),
  };
}
