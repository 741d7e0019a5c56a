// Indexes the dashboard's counts need at a million certificates: not-yet-valid is `not_before > now`, which
// without an index on not_before is a scan of the whole table (it also serves the inventory's notBefore sort).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('certificates_not_before').on('certificates').columns(['not_before', 'id']).execute();
}
