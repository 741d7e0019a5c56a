// SQLite with synchronous=FULL's guarantee but the fsync off the event loop. FULL in WAL mode is NORMAL plus one
// fsync of the WAL after every commit (sqlite.org/pragma.html#pragma_synchronous); better-sqlite3 runs that fsync
// on the one JS thread, where it cost 0.5–1.7 ms per issuance here while nothing else could run (bench/
// profile-issuance.ts: 20% of the server's time). So the connection runs NORMAL and a write's caller gets its
// result only after an fdatasync of the WAL issued after its commit, on libuv's pool: the event loop keeps
// working, and commits that land while one sync runs share the next (group commit where it matters: the fsync).
import fs from 'node:fs';
import path from 'node:path';
import type SQLite from 'better-sqlite3';
import {
  type DialectAdapter,
  type Driver,
  type Kysely,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDialect,
  SqliteDriver,
  sql,
} from 'kysely';
import { type Checkpointer, startCheckpointer } from './sqlite-checkpointer.ts';

/** Coalesces syncs: a caller waits for a sync that starts after its call, shared with everyone who called meanwhile. */
export function createSyncer(sync: () => Promise<void>): { flush(): Promise<void> } {
  let current: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  function flush(): Promise<void> {
    if (next) return next;
    if (!current) {
      current = sync().finally(() => {
        current = undefined;
      });
      return current;
    }
    const start = () => {
      next = undefined;
      return flush();
    };
    next = current.then(start, start);
    return next;
  }
  return { flush };
}

interface WalSync {
  sync(): Promise<void>;
  close(): void;
}

/** fdatasync of the database's WAL file; opened at the first sync, when a commit has surely created it. */
function walSync(file: string): WalSync {
  let fd: number | undefined;
  return {
    sync: () =>
      new Promise<void>((resolve, reject) => {
        if (fd === undefined) {
          fd = fs.openSync(`${file}-wal`, 'r+');
          // The WAL's directory entry must be durable too (SQLite syncs the directory when it creates the file).
          const dir = fs.openSync(path.dirname(file), 'r');
          try {
            fs.fsyncSync(dir);
          } finally {
            fs.closeSync(dir);
          }
        }
        fs.fdatasync(fd, (err) => (err ? reject(err) : resolve()));
      }),
    close() {
      if (fd !== undefined) fs.closeSync(fd);
      fd = undefined;
    },
  };
}

/**
 * Kysely prepares every query anew; better-sqlite3 statements are reusable, and preparing was 6% of an
 * issuance's CPU time (measured in bench/). Kysely's single SQLite connection runs one query at a time, so a
 * cached statement is never in use twice at once. `onWrite` hears of every statement that may change the file.
 */
function withStatementCache(sqlite: SQLite.Database, onWrite: () => void): SqliteDatabase {
  type Statement = ReturnType<SqliteDatabase['prepare']>;
  const cache = new Map<string, Statement>();
  return {
    prepare(text: string) {
      let statement = cache.get(text);
      if (!statement) {
        if (cache.size >= 2000) cache.clear();
        const s = sqlite.prepare(text);
        // COMMIT itself is "readonly" to SQLite; the statements before it in the transaction are not.
        statement = s.readonly ? (s as unknown as Statement) : writeStatement(s, onWrite);
        cache.set(text, statement);
      }
      return statement;
    },
    close: () => sqlite.close(),
  };
}

function writeStatement(s: SQLite.Statement, onWrite: () => void): ReturnType<SqliteDatabase['prepare']> {
  return {
    reader: s.reader,
    all(parameters: readonly unknown[]) {
      onWrite();
      return s.all(parameters);
    },
    run(parameters: readonly unknown[]) {
      onWrite();
      return s.run(parameters);
    },
    iterate(parameters: readonly unknown[]) {
      onWrite();
      return s.iterate(parameters);
    },
  } as unknown as ReturnType<SqliteDatabase['prepare']>;
}

class DurableDriver extends SqliteDriver {
  readonly #sqlite: SQLite.Database;
  readonly #syncer: { flush(): Promise<void> };
  readonly #checkpointer: Checkpointer;
  readonly #state: { wrote: boolean };
  readonly #wal: WalSync;
  constructor(sqlite: SQLite.Database, syncer: { flush(): Promise<void> }, checkpointer: Checkpointer, wal: WalSync) {
    const state = { wrote: false };
    super({ database: withStatementCache(sqlite, () => (state.wrote = true)) });
    this.#state = state;
    this.#sqlite = sqlite;
    this.#syncer = syncer;
    this.#checkpointer = checkpointer;
    this.#wal = wal;
  }

  // Kysely awaits releaseConnection before it hands the result back, after the connection is free for others.
  override async releaseConnection(): Promise<void> {
    const mustSync = this.#state.wrote && !this.#sqlite.inTransaction;
    if (mustSync) {
      this.#state.wrote = false;
      this.#checkpointer.wrote();
    }
    await super.releaseConnection();
    if (mustSync) await this.#syncer.flush();
  }

  override async destroy(): Promise<void> {
    await this.#checkpointer.stop();
    this.#wal.close();
    await super.destroy();
  }
}

/** How long a process waits for another one's migrations on the same SQLite file before it gives up. */
const MIGRATION_LOCK_WAIT_MS = 60_000;

/**
 * Kysely's SQLite adapter takes no migration lock ("one connection"), so two processes starting on one new file
 * both applied the first migration, and one died on `table "roles" already exists`. Here the migrations run in
 * one write transaction (SQLite's DDL is transactional): a second process waits for the first to commit, then
 * reads the migrations as applied and has nothing left to do.
 */
class MigrationLockingAdapter extends SqliteAdapter {
  override async acquireMigrationLock(db: Kysely<unknown>): Promise<void> {
    const until = Date.now() + MIGRATION_LOCK_WAIT_MS;
    for (;;) {
      try {
        await sql`BEGIN IMMEDIATE`.execute(db);
        return;
      } catch (err) {
        // busy_timeout already waited a while; a long migration elsewhere (a large database) may need longer.
        if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > until) throw err;
      }
    }
  }

  override async releaseMigrationLock(db: Kysely<unknown>): Promise<void> {
    await sql`COMMIT`.execute(db);
  }
}

export interface DurableOptions {
  /** Replaces the WAL fdatasync (tests). */
  sync?: () => Promise<void>;
  /** Hears of a failed background checkpoint (the next one retries); by default a process warning on stderr. */
  onError?: (err: Error) => void;
}

/**
 * The Kysely dialect for `sqlite` (already in WAL mode). With `synchronous` FULL the connection is switched to
 * NORMAL and every write is made durable as described above, before its caller sees the result. Checkpoints run
 * on a worker thread (sqlite-checkpointer.ts).
 */
export function durableSqliteDialect(
  sqlite: SQLite.Database,
  file: string,
  synchronous: 'FULL' | 'NORMAL',
  options: DurableOptions = {},
): SqliteDialect {
  sqlite.pragma('synchronous = NORMAL');
  const wal = walSync(file);
  const sync = options.sync ?? wal.sync;
  const syncer = createSyncer(synchronous === 'FULL' ? sync : () => Promise.resolve());
  const onError = options.onError ?? ((err: Error) => process.emitWarning(err));
  return new (class extends SqliteDialect {
    override createDriver(): Driver {
      return new DurableDriver(sqlite, syncer, startCheckpointer(sqlite, file, onError), wal);
    }
    override createAdapter(): DialectAdapter {
      return new MigrationLockingAdapter();
    }
  })({ database: sqlite as unknown as SqliteDatabase });
}
