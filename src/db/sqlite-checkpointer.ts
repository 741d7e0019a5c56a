// SQLite WAL checkpoints on a worker thread. A checkpoint copies the WAL's pages into the database file and syncs
// both; run by the writing connection (SQLite's default, every 1,000 pages) it blocked Tarsier's one event loop for
// ≈0.4 ms per issuance on average (10–20 ms every few dozen issuances; bench/profile-issuance.ts). A PASSIVE
// checkpoint from a second connection neither blocks nor waits for the writer, so it runs beside the event loop;
// the writer keeps a high automatic threshold only as a backstop should this thread fall behind.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/** How often the worker is asked to checkpoint, when something was written meanwhile. */
const INTERVAL_MS = 200;
/** The writer's own automatic checkpoint, in pages: 4× SQLite's default, reached only if the worker lags. */
const BACKSTOP_PAGES = 4000;

// CommonJS, evaluated in the worker: opens its own connection and checkpoints on request. synchronous=NORMAL makes
// SQLite sync the WAL before copying it and the database file after, so a checkpoint never loses a commit.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
parentPort.on('message', (m) => {
  if (m === 'close') { db.close(); parentPort.close(); return; }
  let error = null;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (e) { error = String(e && e.message || e); }
  parentPort.postMessage({ error });
});
`;

export interface Checkpointer {
  /** Notes that the connection wrote; the next tick checkpoints. */
  wrote(): void;
  /** Checkpoints now and resolves when done (tests, and before closing). */
  checkpoint(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the checkpoint worker for `file` and lowers the writer's own checkpointing to a backstop. */
export function startCheckpointer(sqlite: SQLite.Database, file: string, onError: (e: Error) => void): Checkpointer {
  sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, module } });
  worker.unref();
  let dirty = false;
  let running: Promise<void> | undefined;
  let settle: ((error: string | null) => void) | undefined;
  worker.on('message', (m: { error: string | null }) => settle?.(m.error));
  worker.on('error', (e) => onError(e));

  function checkpoint(): Promise<void> {
    if (running) return running;
    dirty = false;
    running = new Promise<void>((resolve) => {
      settle = (error) => {
        running = undefined;
        settle = undefined;
        if (error) onError(new Error(`WAL checkpoint failed: ${error}`));
        resolve();
      };
      worker.postMessage('checkpoint');
    });
    return running;
  }

  const timer = setInterval(() => {
    if (dirty && !running) void checkpoint();
  }, INTERVAL_MS);
  timer.unref();

  return {
    wrote() {
      dirty = true;
    },
    checkpoint,
    async stop() {
      clearInterval(timer);
      // Unreferenced, the worker would not keep the process alive until it has closed its connection.
      worker.ref();
      await running;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage('close');
      await exited;
    },
  };
}
