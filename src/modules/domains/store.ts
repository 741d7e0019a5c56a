// Queries of registered domains.
import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { Database } from '../../db/schema.ts';

export const listDomains = (db: Db) => db.selectFrom('domains').selectAll().orderBy('name').execute();

export const findDomain = (db: Db, id: number) =>
  db.selectFrom('domains').selectAll().where('id', '=', id).executeTakeFirst();

export const findDomainByName = (db: Db, name: string) =>
  db.selectFrom('domains').selectAll().where('name', '=', name).executeTakeFirst();

export async function insertDomain(db: Db, row: Insertable<Database['domains']>): Promise<number> {
  return (await db.insertInto('domains').values(row).returning('id').executeTakeFirstOrThrow()).id;
}

export async function updateDomain(db: Db, id: number, changes: Updateable<Database['domains']>): Promise<void> {
  await db.updateTable('domains').set(changes).where('id', '=', id).execute();
}

export async function deleteDomain(db: Db, id: number): Promise<void> {
  await db.deleteFrom('domains').where('id', '=', id).execute();
}
