// Queries of the encrypted private key table. Rows hold only ciphertext and a wrapped data key.
import type { Db } from '../../db/index.ts';
import { insertReturningId } from '../../db/insert-cache.ts';

export interface SealedRow {
  key_type: string;
  master_key_id: string;
  wrapped_dek: Uint8Array;
  ciphertext: Uint8Array;
  created_at: string;
}

export function insertKey(db: Db, row: SealedRow): Promise<number> {
  return insertReturningId(db, 'private_keys', row);
}

export function findKey(db: Db, id: number) {
  return db.selectFrom('private_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A page of keys not yet wrapped by `masterKeyId`, for rotation. */
export function listNotWrappedBy(db: Db, masterKeyId: string, afterId: number, limit: number) {
  return db
    .selectFrom('private_keys')
    .select(['id', 'master_key_id', 'wrapped_dek', 'ciphertext'])
    .where('master_key_id', '!=', masterKeyId)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function updateWrapping(db: Db, id: number, masterKeyId: string, wrappedDek: Uint8Array): Promise<void> {
  await db
    .updateTable('private_keys')
    .set({ master_key_id: masterKeyId, wrapped_dek: wrappedDek })
    .where('id', '=', id)
    .execute();
}
