// Keeps SQLite's certificate search index current a moment after each commit (migrations/012 says why the
// issuing transaction no longer does it). A timer asks every `intervalMs` whether rows were committed since the
// last pass; an idle check is two reads. Searches meanwhile test the unindexed rows directly, so this is
// only about speed, and a crash loses nothing: the next start indexes whatever is above `indexed_through`.

import type { DialectOps } from './dialect.ts';
import type { Db } from './index.ts';

export interface SearchIndexer {
  /** Indexes everything committed before the call; resolves with how many rows that took. */
  catchUp(): Promise<number>;
  stop(): Promise<void>;
}

export interface SearchIndexerOptions {
  intervalMs?: number;
  /** Rows per transaction: large enough to amortize FTS5's segment writes, small enough not to hold the writer. */
  batchRows?: number;
  onError?: (err: Error) => void;
}

export function startSearchIndexer(
  db: Db,
  dialect: Pick<DialectOps, 'indexPendingSearch' | 'defersSearchIndex'>,
  { intervalMs = 200, batchRows = 2000, onError = (err) => process.emitWarning(err) }: SearchIndexerOptions = {},
): SearchIndexer {
  let tail: Promise<number> = Promise.resolve(0);
  let stopped = false;

  async function drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await dialect.indexPendingSearch(db, batchRows);
      total += n;
      if (n < batchRows) return total;
      // Let requests waiting for the connection in between batches of a large backlog (a bulk import).
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  /** Passes run one after another, never two at once. */
  function pass(): Promise<number> {
    tail = tail.catch(() => 0).then(drain);
    return tail;
  }
  // Nothing to poll for where the database indexes as it commits (PostgreSQL); catchUp() still answers 0.
  if (!dialect.defersSearchIndex) return { catchUp: async () => 0, stop: async () => {} };
  const timer = setInterval(() => {
    if (stopped) return;
    pass().catch((err: Error) => {
      if (!stopped) onError(err);
    });
  }, intervalMs);
  timer.unref();
  return {
    catchUp: pass,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await tail.catch(() => 0);
    },
  };
}
