// Opens the database named by the configuration (SQLite by default, PostgreSQL by URL) and applies migrations.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type Migration, type MigrationProvider, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { ServerConfig } from '../config.ts';
import { type DialectOps, dialectOps } from './dialect.ts';
import * as m001 from './migrations/001-initial.ts';
import * as m002 from './migrations/002-revocation.ts';
import * as m003 from './migrations/003-audit-chain.ts';
import * as m004 from './migrations/004-identity.ts';
import * as m005 from './migrations/005-domains.ts';
import * as m006 from './migrations/006-issuers.ts';
import * as m007 from './migrations/007-destinations.ts';
import * as m008 from './migrations/008-sources.ts';
import * as m009 from './migrations/009-lifecycle.ts';
import * as m011 from './migrations/011-certificate-stats.ts';
import * as m012 from './migrations/012-deferred-search-index.ts';
import type { Database } from './schema.ts';
import { durableSqliteDialect } from './sqlite-durable.ts';

export type Db = Kysely<Database>;

export interface OpenDatabase {
  db: Db;
  dialect: DialectOps;
  close(): Promise<void>;
}

/** Opens (and for SQLite creates) the configured database. Does not migrate: call migrateToLatest. */
export function openDatabase(
  config: Pick<ServerConfig, 'database' | 'sqliteSynchronous'>,
  poolSize = 10,
  onIdleError?: (err: Error) => void,
): OpenDatabase {
  if (config.database.kind === 'sqlite') {
    fs.mkdirSync(path.dirname(config.database.file), { recursive: true });
    const sqlite = new SQLite(config.database.file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const dialect = durableSqliteDialect(sqlite, config.database.file, config.sqliteSynchronous);
    const db = new Kysely<Database>({ dialect });
    return { db, dialect: dialectOps('sqlite'), close: () => db.destroy() };
  }
  const pool = new pg.Pool({ connectionString: config.database.url, max: poolSize });
  // An idle connection that the server ends (a restart, an administrator) must not bring Tarsier down: the pool
  // drops it and opens another when needed. Without a listener, node would treat the event as a crash.
  pool.on('error', (err) => onIdleError?.(err));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: dialectOps('postgres'), close: () => db.destroy() };
}

function provider(dialect: DialectOps): MigrationProvider {
  const all: Record<string, { up(db: Kysely<unknown>, d: DialectOps): Promise<void> }> = {
    '001-initial': m001,
    '002-revocation': m002,
    '003-audit-chain': m003,
    '004-identity': m004,
    '005-domains': m005,
    '006-issuers': m006,
    '007-destinations': m007,
    '011-certificate-stats': m011,
    '008-sources': m008,
    '009-lifecycle': m009,
    '012-deferred-search-index': m012,
  };
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, mod] of Object.entries(all)) out[name] = { up: (db) => mod.up(db, dialect) };
      return out;
    },
  };
}

/** Applies every pending migration; safe to run from several processes at once (Kysely takes a lock). */
export async function migrateToLatest(open: OpenDatabase): Promise<string[]> {
  const migrator = new Migrator({ db: open.db, provider: provider(open.dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
