// Runs one pass of a job and records it (job_runs): started, then succeeded with the job's result or failed
// with its error. A pass never throws: a failing job is recorded and tried again at its next interval.
import os from 'node:os';
import type { Db } from '../../db/index.ts';
import type { PluginLogger } from '../issuers/plugin.ts';
import type { JobDefinition } from './registry.ts';
import * as store from './store.ts';

const DAY_MS = 86_400_000;
export const processName = () => `${os.hostname()}:${process.pid}`;

export function createJobRunner(deps: { db: Db; clock: () => Date; log: PluginLogger }) {
  const { db, clock, log } = deps;
  /** Runs `job` once here; resolves with the id of its job_runs row. */
  return async function execute(job: JobDefinition, trigger: string): Promise<number> {
    const started = clock();
    const id = await store.insertRun(db, {
      job: job.name,
      trigger,
      process: processName(),
      started_at: started.toISOString(),
    });
    try {
      const result = await job.run();
      await store.finishRun(db, id, {
        status: 'succeeded',
        result: JSON.stringify(result),
        error: null,
        finished_at: clock().toISOString(),
      });
    } catch (e) {
      log.error({ err: e, job: job.name }, 'background job failed');
      const error = e instanceof Error ? e.message : String(e);
      await store.finishRun(db, id, { status: 'failed', result: null, error, finished_at: clock().toISOString() });
    }
    await store.pruneRuns(db, job.name, new Date(started.getTime() - DAY_MS).toISOString());
    return id;
  };
}

export type JobRunner = ReturnType<typeof createJobRunner>;
