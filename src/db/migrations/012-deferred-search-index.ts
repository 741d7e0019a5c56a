// SQLite: the trigram index is filled after the commit instead of inside it. An FTS5 insert in the issuing
// transaction cost ≈250 µs and a new index segment per commit (half of an issuance's SQL time, measured with
// bench/profile-issuance.ts); the indexer (db/search-indexer.ts) adds new rows in batches a moment later, and a
// search also scans the few rows it has not reached (dialect.ts), so results stay exact. `indexed_through` is
// the highest certificate id in the index; rows above it are not, and the delete/update triggers leave them
// alone (telling FTS5 to delete a row it never held corrupts an external-content index). PostgreSQL's GIN index
// already defers its work (fastupdate): nothing changes there.
import { type Kysely, sql } from 'kysely';
import type { DialectOps } from '../dialect.ts';

export async function up(db: Kysely<unknown>, dialect: DialectOps): Promise<void> {
  if (dialect.kind !== 'sqlite') return;
  await sql`CREATE TABLE search_index_state (id integer PRIMARY KEY CHECK (id = 1), indexed_through integer NOT NULL)`.execute(
    db,
  );
  await sql`INSERT INTO search_index_state (id, indexed_through) SELECT 1, coalesce(max(id), 0) FROM certificates`.execute(
    db,
  );
  await sql`DROP TRIGGER certificates_fts_ai`.execute(db);
  await sql`DROP TRIGGER certificates_fts_ad`.execute(db);
  await sql`DROP TRIGGER certificates_fts_au`.execute(db);
  const indexed = sql.raw('old.id <= (SELECT indexed_through FROM search_index_state WHERE id = 1)');
  await sql`CREATE TRIGGER certificates_fts_ad AFTER DELETE ON certificates WHEN ${indexed} BEGIN
      INSERT INTO certificates_fts(certificates_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END`.execute(
    db,
  );
  await sql`CREATE TRIGGER certificates_fts_au AFTER UPDATE OF search_text ON certificates WHEN ${indexed} BEGIN
      INSERT INTO certificates_fts(certificates_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
      INSERT INTO certificates_fts(rowid, search_text) VALUES (new.id, new.search_text); END`.execute(db);
}
