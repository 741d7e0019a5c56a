// Queries of issuers, HTTP-01 challenge tokens and pending certificates.

import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { IssuersTable } from '../../db/schema.ts';

export function findIssuer(db: Db, id: number) {
  return db.selectFrom('issuers').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findIssuerByName(db: Db, name: string) {
  return db.selectFrom('issuers').selectAll().where('name', '=', name).executeTakeFirst();
}

export function listIssuers(db: Db) {
  return db.selectFrom('issuers').selectAll().orderBy('name').execute();
}

export async function insertIssuer(db: Db, row: Insertable<IssuersTable>): Promise<number> {
  const r = await db.insertInto('issuers').values(row).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function updateIssuer(db: Db, id: number, changes: Updateable<IssuersTable>): Promise<void> {
  await db.updateTable('issuers').set(changes).where('id', '=', id).execute();
}

export async function deleteIssuer(db: Db, id: number): Promise<void> {
  await db.deleteFrom('issuers').where('id', '=', id).execute();
}

/** How many certificates and pending certificates name the issuer (it cannot be deleted while any do). */
export async function countIssuerUses(db: Db, id: number): Promise<number> {
  const a = await db
    .selectFrom('certificates')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('issuer_id', '=', id)
    .executeTakeFirstOrThrow();
  const b = await db
    .selectFrom('pending_certificates')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('issuer_id', '=', id)
    .executeTakeFirstOrThrow();
  return Number(a.n) + Number(b.n);
}

export async function putChallenge(db: Db, token: string, keyAuthorization: string, at: string): Promise<void> {
  await db.deleteFrom('acme_challenges').where('token', '=', token).execute();
  await db
    .insertInto('acme_challenges')
    .values({ token, key_authorization: keyAuthorization, created_at: at })
    .execute();
}

export async function deleteChallenge(db: Db, token: string): Promise<void> {
  await db.deleteFrom('acme_challenges').where('token', '=', token).execute();
}

export async function findChallenge(db: Db, token: string): Promise<string | undefined> {
  const r = await db
    .selectFrom('acme_challenges')
    .select('key_authorization')
    .where('token', '=', token)
    .executeTakeFirst();
  return r?.key_authorization;
}
