// Group commit: small transactions that arrive together run as one. Each issuance wrote ≈30 pages to SQLite's WAL
// (a dozen index leaves, a new FTS segment, the audit head) and committed alone; issuances committed together share
// the leaf pages, the segment and the commit (bench/profile-issuance.ts). A batch starts on the next turn of the
// event loop, so every request that reached its commit in this turn joins it. A batch that fails is rolled back
// and each of its works runs again alone, so one bad request fails only itself.
import type { Transaction } from 'kysely';
import type { Db } from './index.ts';
import type { Database } from './schema.ts';

type Work<T> = (trx: Transaction<Database>) => Promise<T>;

interface Item {
  work: Work<unknown>;
  resolve(value: unknown): void;
  reject(reason: unknown): void;
}

export interface TransactionBatcher {
  /** Runs `work` in a transaction, possibly shared with other works; resolves once that transaction committed. */
  run<T>(work: Work<T>): Promise<T>;
}

/** The same interface without sharing: each work in its own transaction (for databases that commit in parallel). */
export function directCommits(db: Db): TransactionBatcher {
  return { run: (work) => db.transaction().execute(work) };
}

/** At most this many works share one transaction, so that one batch never holds the database for long. */
const MAX_BATCH = 64;

export function createTransactionBatcher(db: Db): TransactionBatcher {
  let queue: Item[] = [];

  async function alone(item: Item): Promise<void> {
    try {
      item.resolve(await db.transaction().execute(item.work));
    } catch (err) {
      item.reject(err);
    }
  }

  async function together(batch: Item[]): Promise<void> {
    let results: unknown[];
    try {
      results = await db.transaction().execute(async (trx) => {
        const out: unknown[] = [];
        for (const item of batch) out.push(await item.work(trx));
        return out;
      });
    } catch {
      await Promise.all(batch.map(alone));
      return;
    }
    for (const [i, item] of batch.entries()) item.resolve(results[i]);
  }

  function drain(): void {
    const batch = queue;
    queue = [];
    for (let i = 0; i < batch.length; i += MAX_BATCH) {
      const part = batch.slice(i, i + MAX_BATCH);
      void (part.length === 1 ? alone(part[0]!) : together(part));
    }
  }

  return {
    run<T>(work: Work<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (queue.length === 0) setImmediate(drain);
        queue.push({ work: work as Work<unknown>, resolve: resolve as (v: unknown) => void, reject });
      });
    },
  };
}
