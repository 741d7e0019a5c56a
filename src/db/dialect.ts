// Where SQLite and PostgreSQL differ, and nowhere else: id columns, binary type, the substring-search index and
// its query. Stores ask for a capability by name and never for the database kind (as Kysely's own adapters do).
import {
  type CreateTableBuilder,
  type Expression,
  type Kysely,
  type QueryExecutorProvider,
  type SqlBool,
  sql,
} from 'kysely';
import type { Database } from './schema.ts';

export type DialectKind = 'sqlite' | 'postgres';

export interface DialectOps {
  readonly kind: DialectKind;
  readonly binaryType: 'blob' | 'bytea';
  /**
   * Whether concurrent small writes should share one transaction (db/batch.ts). SQLite writes one transaction at
   * a time, so sharing saves WAL pages and syncs; PostgreSQL commits concurrently on a pool, where a shared
   * transaction only serialises the works and holds the audit head longer (measured slower).
   */
  readonly groupsCommits: boolean;
  /** Adds the auto-numbered primary key `id`. */
  addId<T extends string>(tb: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'>;
  /** Builds the index that makes `%q%` over certificates.search_text fast at millions of rows. */
  createSearchIndex(db: Kysely<unknown>): Promise<void>;
  /** Keeps the planner's statistics current (SQLite has none until asked; PostgreSQL's autovacuum does this). */
  maintain(db: QueryExecutorProvider): Promise<void>;
  /**
   * A condition matching certificates whose search_text contains `q` (already lower-cased). Async because the
   * best plan depends on how common the term is, which SQLite's planner cannot tell from the FTS table.
   */
  searchCertificates(db: QueryExecutorProvider, q: string): Promise<Expression<SqlBool>>;
  /**
   * Adds up to `limit` certificates committed since the last call to the search index, in one transaction;
   * returns how many (0: it is current). Only SQLite defers this work (migrations/012); elsewhere always 0.
   */
  indexPendingSearch(db: Kysely<Database>, limit: number): Promise<number>;
  /** Whether new certificates wait for indexPendingSearch (SQLite), so that something must call it. */
  readonly defersSearchIndex: boolean;
}

/** Above this many matches a term counts as common (see searchCertificates). */
const COMMON_TERM_ROWS = 5000;

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const sqlite: DialectOps = {
  kind: 'sqlite',
  binaryType: 'blob',
  groupsCommits: true,
  addId: (tb) => tb.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()),
  async createSearchIndex(db) {
    // FTS5 with the trigram tokenizer indexes substrings; external content keeps one copy of the text.
    await sql`CREATE VIRTUAL TABLE certificates_fts USING fts5(search_text, content='certificates', content_rowid='id', tokenize='trigram')`.execute(
      db,
    );
    await sql`CREATE TRIGGER certificates_fts_ai AFTER INSERT ON certificates BEGIN
      INSERT INTO certificates_fts(rowid, search_text) VALUES (new.id, new.search_text); END`.execute(db);
    await sql`CREATE TRIGGER certificates_fts_ad AFTER DELETE ON certificates BEGIN
      INSERT INTO certificates_fts(certificates_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END`.execute(
      db,
    );
    await sql`CREATE TRIGGER certificates_fts_au AFTER UPDATE OF search_text ON certificates BEGIN
      INSERT INTO certificates_fts(certificates_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
      INSERT INTO certificates_fts(rowid, search_text) VALUES (new.id, new.search_text); END`.execute(db);
  },
  async maintain(db) {
    // Bounded analysis, so that it stays cheap on a database of millions of rows.
    await sql`PRAGMA analysis_limit = 1000`.execute(db);
    await sql`PRAGMA optimize = 0x10002`.execute(db);
  },
  async searchCertificates(db, q) {
    const like = sql<SqlBool>`certificates.search_text LIKE ${likePattern(q)} ESCAPE '\\'`;
    // The trigram index needs three characters; shorter terms scan (rare, and still correct).
    if ([...q].length < 3) return like;
    const phrase = `"${q.replace(/"/g, '""')}"`;
    // A term found in many rows is served best by walking the sort index and testing each row (the first page
    // fills at once); a rare one by the trigram index. Counting up to a cap tells which, in a few milliseconds.
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*) AS n FROM (SELECT rowid FROM certificates_fts WHERE certificates_fts MATCH ${phrase} LIMIT ${COMMON_TERM_ROWS})`.execute(
      db,
    );
    if (Number(rows[0]?.n ?? 0) >= COMMON_TERM_ROWS) return like;
    // The rows the indexer has not reached yet (committed in the last moment) are tested one by one.
    return sql<SqlBool>`certificates.id IN (SELECT rowid FROM certificates_fts WHERE certificates_fts MATCH ${phrase}
      UNION ALL SELECT id FROM certificates WHERE id > (SELECT indexed_through FROM search_index_state WHERE id = 1)
      AND search_text LIKE ${likePattern(q)} ESCAPE '\\')`;
  },
  defersSearchIndex: true,
  indexPendingSearch: (db, limit) =>
    db.transaction().execute(async (trx) => {
      const state = await sql<{ t: number }>`SELECT indexed_through AS t FROM search_index_state WHERE id = 1`.execute(
        trx,
      );
      const from = Number(state.rows[0]?.t ?? 0);
      const { rows } = await sql<{ through: number | null; n: number }>`SELECT max(id) AS through, count(*) AS n
        FROM (SELECT id FROM certificates WHERE id > ${from} ORDER BY id LIMIT ${limit})`.execute(trx);
      const r = rows[0];
      if (!r || r.through === null) return 0;
      await sql`INSERT INTO certificates_fts(rowid, search_text)
        SELECT id, search_text FROM certificates WHERE id > ${from} AND id <= ${r.through}`.execute(trx);
      await sql`UPDATE search_index_state SET indexed_through = ${r.through} WHERE id = 1`.execute(trx);
      return Number(r.n);
    }),
};

const postgres: DialectOps = {
  kind: 'postgres',
  binaryType: 'bytea',
  groupsCommits: false,
  addId: (tb) => tb.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity()),
  async createSearchIndex(db) {
    await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
    await sql`CREATE INDEX certificates_search_trgm ON certificates USING gin (search_text gin_trgm_ops)`.execute(db);
  },
  async maintain() {},
  async searchCertificates(_db, q) {
    return sql<SqlBool>`certificates.search_text LIKE ${likePattern(q)}`;
  },
  defersSearchIndex: false,
  indexPendingSearch: async () => 0,
};

export function dialectOps(kind: DialectKind): DialectOps {
  return kind === 'sqlite' ? sqlite : postgres;
}
