// Queries of destinations and deployments.
import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { DeploymentsTable, DestinationsTable } from '../../db/schema.ts';

export function findDestination(db: Db, id: number) {
  return db.selectFrom('destinations').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findDestinationByName(db: Db, name: string) {
  return db.selectFrom('destinations').selectAll().where('name', '=', name).executeTakeFirst();
}

export function listDestinations(db: Db) {
  return db.selectFrom('destinations').selectAll().orderBy('name').execute();
}

export async function insertDestination(db: Db, row: Insertable<DestinationsTable>): Promise<number> {
  return (await db.insertInto('destinations').values(row).returning('id').executeTakeFirstOrThrow()).id;
}

export async function updateDestination(db: Db, id: number, changes: Updateable<DestinationsTable>): Promise<void> {
  await db.updateTable('destinations').set(changes).where('id', '=', id).execute();
}

export async function deleteDestination(db: Db, id: number): Promise<void> {
  await db.deleteFrom('destinations').where('id', '=', id).execute();
}

export async function countDeploymentsTo(db: Db, destinationId: number): Promise<number> {
  const r = await db
    .selectFrom('deployments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('destination_id', '=', destinationId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertDeployment(db: Db, row: Insertable<DeploymentsTable>): Promise<number> {
  return (await db.insertInto('deployments').values(row).returning('id').executeTakeFirstOrThrow()).id;
}

export function listDeploymentsOf(db: Db, certificateId: number, limit = 200) {
  return db
    .selectFrom('deployments')
    .selectAll()
    .where('certificate_id', '=', certificateId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** The destinations a certificate was ever deployed to, each once. */
export async function destinationIdsOf(db: Db, certificateId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('deployments')
    .select('destination_id')
    .distinct()
    .where('certificate_id', '=', certificateId)
    .orderBy('destination_id')
    .execute();
  return rows.map((r) => r.destination_id);
}

export async function setKeyToken(db: Db, deploymentId: number, hash: string, expiresAt: string): Promise<void> {
  await db
    .updateTable('deployments')
    .set({ key_token_hash: hash, key_token_expires_at: expiresAt })
    .where('id', '=', deploymentId)
    .execute();
}

/** Takes a key token: returns its deployment and clears it in the same statement, so it works once. */
export async function takeKeyToken(db: Db, hash: string, now: string) {
  const row = await db
    .selectFrom('deployments')
    .select(['id', 'certificate_id', 'key_token_expires_at'])
    .where('key_token_hash', '=', hash)
    .executeTakeFirst();
  if (!row) return undefined;
  const taken = await db
    .updateTable('deployments')
    .set({ key_token_hash: null, key_token_expires_at: null })
    .where('id', '=', row.id)
    .where('key_token_hash', '=', hash)
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) !== 1 || (row.key_token_expires_at ?? '') < now) return undefined;
  return row;
}
