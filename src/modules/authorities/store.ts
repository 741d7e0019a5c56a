// Queries of the authorities table.
import type { Db } from '../../db/index.ts';
import type { AuthorityUpdate, NewAuthorityRow } from '../../db/schema.ts';

export async function insertAuthority(db: Db, row: NewAuthorityRow): Promise<number> {
  const r = await db.insertInto('authorities').values(row).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export function findAuthorityById(db: Db, id: number) {
  return db.selectFrom('authorities').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findAuthorityByName(db: Db, name: string) {
  return db.selectFrom('authorities').select('id').where('name', '=', name).executeTakeFirst();
}

export function listAuthorities(db: Db) {
  return db.selectFrom('authorities').selectAll().orderBy('id').execute();
}

export async function updateAuthority(db: Db, id: number, changes: AuthorityUpdate): Promise<void> {
  if (Object.keys(changes).length === 0) return;
  await db.updateTable('authorities').set(changes).where('id', '=', id).execute();
}
