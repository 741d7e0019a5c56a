// Background jobs as users see them: each registered job with its interval, last run (result or error) and next
// run, and a way to run one now. Scheduling itself lives in scheduler.ts; this is the public face.
import type { Selectable } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { JobRunsTable } from '../../db/schema.ts';
import { NotFoundError } from '../../errors.ts';
import { type AuditService, byCaller } from '../audit/service.ts';
import type { RequestContext } from '../request-context.ts';
import type { JobDefinition, JobRegistry } from './registry.ts';
import type { JobScheduler } from './scheduler.ts';
import * as store from './store.ts';

type RunRow = Selectable<JobRunsTable>;

export interface JobDeps {
  db: Db;
  registry: JobRegistry;
  scheduler: Pick<JobScheduler, 'runNow'>;
  audit: Pick<AuditService, 'record'>;
  clock: () => Date;
  timeoutSeconds: number;
}

export function createJobService(deps: JobDeps) {
  const { db, registry, clock } = deps;
  const started = clock();

  /** A run still 'running' past the timeout lost its process; it is shown as such. */
  const runView = (r: RunRow) => {
    const lost = r.status === 'running' && Date.parse(r.started_at) + 1000 * deps.timeoutSeconds < clock().getTime();
    return {
      id: r.id,
      status: lost ? ('abandoned' as const) : r.status,
      trigger: r.trigger,
      process: r.process,
      result: r.result === null ? null : (JSON.parse(r.result) as Record<string, unknown>),
      error: r.error,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
    };
  };

  async function jobView(job: JobDefinition) {
    const last = await store.lastRun(db, job.name);
    const from = last ? Date.parse(last.started_at) : started.getTime();
    return {
      name: job.name,
      description: job.description,
      intervalSeconds: job.intervalSeconds,
      lastRun: last ? runView(last) : null,
      nextRunAt: new Date(Math.max(from + 1000 * job.intervalSeconds, clock().getTime())).toISOString(),
    };
  }

  function definition(name: string): JobDefinition {
    const job = registry.get(name);
    if (!job) throw new NotFoundError('job', name);
    return job;
  }

  return {
    /** Every registered job with its last and next run. */
    list: () => Promise.all(registry.all().map(jobView)),

    /** One job with its recent runs. Throws NotFoundError. */
    async get(name: string) {
      const job = definition(name);
      const runs = await store.listRuns(db, name, 20);
      return { ...(await jobView(job)), runs: runs.map((r) => runView(r)) };
    },

    /** Runs a job now (audited) and returns the finished run. Throws NotFoundError, ConflictError (timeout). */
    async run(name: string, ctx: RequestContext) {
      const job = definition(name);
      await deps.audit.record(db, byCaller(ctx, 'job.run', { type: 'job', id: name }));
      const id = await deps.scheduler.runNow(job, `manual:${ctx.principal.actor}`);
      const row = await store.findRun(db, id);
      if (!row) throw new NotFoundError('job run', id);
      return runView(row);
    },
  };
}

export type JobService = ReturnType<typeof createJobService>;
