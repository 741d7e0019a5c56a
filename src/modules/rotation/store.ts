// Queries of automatic rotation: per-certificate settings, the certificates due, and the rotation rows that
// one process at a time works on (a claim with an expiry, so a killed process's work is taken over).
import type { Selectable, Updateable } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { RotationSettingsTable, RotationsTable } from '../../db/schema.ts';

export type SettingsRow = Selectable<RotationSettingsTable>;
export type RotationRow = Selectable<RotationsTable>;

export const findSettings = (db: Db, certificateId: number) =>
  db.selectFrom('rotation_settings').selectAll().where('certificate_id', '=', certificateId).executeTakeFirst();

export async function saveSettings(db: Db, row: SettingsRow): Promise<void> {
  const { certificate_id: _id, ...changes } = row;
  await db
    .insertInto('rotation_settings')
    .values(row)
    .onConflict((oc) => oc.column('certificate_id').doUpdateSet(changes))
    .execute();
}

/** Live certificates with rotation on that expire by `until` (the caller applies each one's days_before). */
export function rotationCandidates(db: Db, until: string) {
  return db
    .selectFrom('certificates')
    .innerJoin('rotation_settings', 'rotation_settings.certificate_id', 'certificates.id')
    .select(['certificates.id', 'certificates.not_after', 'rotation_settings.days_before'])
    .where('rotation_settings.enabled', '=', 1)
    .where('certificates.origin', '=', 'issued')
    .where('certificates.revoked_at', 'is', null)
    .where('certificates.archived_at', 'is', null)
    .where('certificates.replaced_by_id', 'is', null)
    .where('certificates.not_after', '<=', until)
    .orderBy('certificates.id')
    .execute();
}

/** Rotations left unfinished (a process died after issuing, an external issuer still working). */
export const unfinishedRotationIds = async (db: Db, now: string) =>
  (
    await db
      .selectFrom('rotations')
      .select('certificate_id')
      .where('status', 'in', ['running', 'waiting'])
      .where('next_attempt_at', '<=', now)
      .orderBy('id')
      .execute()
  ).map((r) => r.certificate_id);

export async function ensureRotation(db: Db, certificateId: number, now: string): Promise<void> {
  await db
    .insertInto('rotations')
    .values({
      certificate_id: certificateId,
      status: 'running',
      next_attempt_at: now,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('certificate_id').doNothing())
    .execute();
}

/** Takes a rotation for this process until `until`, unless another process holds it or it is not due. */
export async function claimRotation(db: Db, certificateId: number, now: string, until: string): Promise<boolean> {
  const r = await db
    .updateTable('rotations')
    .set({ locked_until: until })
    .where('certificate_id', '=', certificateId)
    .where('status', 'in', ['running', 'waiting'])
    .where('next_attempt_at', '<=', now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export const findRotation = (db: Db, certificateId: number) =>
  db.selectFrom('rotations').selectAll().where('certificate_id', '=', certificateId).executeTakeFirst();

export async function updateRotation(db: Db, certificateId: number, changes: Updateable<RotationsTable>) {
  await db.updateTable('rotations').set(changes).where('certificate_id', '=', certificateId).execute();
}

/** Opens a rotation that was given up, so that the next pass tries it again. */
export async function reopenFailedRotation(db: Db, certificateId: number, now: string): Promise<void> {
  await db
    .updateTable('rotations')
    .set({ status: 'running', attempts: 0, next_attempt_at: now, updated_at: now })
    .where('certificate_id', '=', certificateId)
    .where('status', '=', 'failed')
    .execute();
}

/** Finished rotations whose old certificate is to be revoked after a grace period and is not yet. */
export function awaitingRevocation(db: Db) {
  return db
    .selectFrom('rotations')
    .innerJoin('rotation_settings', 'rotation_settings.certificate_id', 'rotations.certificate_id')
    .innerJoin('certificates', 'certificates.id', 'rotations.new_certificate_id')
    .select([
      'rotations.certificate_id',
      'rotation_settings.revoke_after_days',
      'certificates.created_at as replaced_at',
    ])
    .where('rotations.status', '=', 'done')
    .where('rotations.old_revoked_at', 'is', null)
    .where('rotation_settings.revoke_after_days', 'is not', null)
    .execute();
}
