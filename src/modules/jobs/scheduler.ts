// Runs the registered jobs on their intervals. On PostgreSQL through pg-boss: every process offers each job once
// per interval slot (pg-boss's singleton throttling keeps one job per slot across all processes), any process
// takes it, and a job whose process died is retried by another after TARSIER_JOB_TIMEOUT_SECONDS. On SQLite (one
// process) timers run the same passes in-process. Both record runs through the same runner.
import PgBoss from 'pg-boss';
import { ConflictError } from '../../errors.ts';
import type { PluginLogger } from '../issuers/plugin.ts';
import type { JobDefinition, JobRegistry } from './registry.ts';
import type { JobRunner } from './runner.ts';

export interface JobScheduler {
  /** Starts offering and working jobs (`work: false`: only sends manual runs, for a process without workers). */
  start(opts: { work: boolean }): Promise<void>;
  /** Runs `name` now (on PostgreSQL in whichever process takes it) and resolves with its job_runs id. */
  runNow(job: JobDefinition, trigger: string): Promise<number>;
  stop(): Promise<void>;
}

export interface SchedulerDeps {
  registry: JobRegistry;
  execute: JobRunner;
  log: PluginLogger;
  timeoutSeconds: number;
  /** PostgreSQL URL: pg-boss; absent: in-process timers */
  databaseUrl?: string;
}

export function createScheduler(deps: SchedulerDeps): JobScheduler {
  return deps.databaseUrl ? pgBossScheduler(deps, deps.databaseUrl) : inProcessScheduler(deps);
}

/** Runs a job unless this process is already running it (a slow pass is not stacked on itself). */
function guarded(execute: JobRunner) {
  const busy = new Map<string, Promise<number>>();
  return (job: JobDefinition, trigger: string): Promise<number> => {
    const current = busy.get(job.name);
    if (current) return current;
    const run = execute(job, trigger).finally(() => busy.delete(job.name));
    busy.set(job.name, run);
    return run;
  };
}

function inProcessScheduler({ registry, execute }: SchedulerDeps): JobScheduler {
  const timers: NodeJS.Timeout[] = [];
  const run = guarded(execute);
  const running = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    running.add(p);
    void p.finally(() => running.delete(p));
  };
  return {
    async start({ work }) {
      if (!work) return;
      for (const job of registry.all()) {
        const timer = setInterval(() => track(run(job, 'schedule')), job.intervalSeconds * 1000);
        timer.unref();
        timers.push(timer);
      }
    },
    runNow: (job, trigger) => execute(job, trigger),
    async stop() {
      for (const t of timers) clearInterval(t);
      await Promise.allSettled([...running]);
    },
  };
}

function pgBossScheduler(deps: SchedulerDeps, url: string): JobScheduler {
  const { registry, execute, log, timeoutSeconds } = deps;
  const boss = new PgBoss({
    connectionString: url,
    max: 3,
    schedule: false,
    supervise: true,
    maintenanceIntervalSeconds: Math.min(60, Math.max(1, timeoutSeconds)),
  });
  boss.on('error', (err) => log.error({ err }, 'pg-boss error'));
  const timers: NodeJS.Timeout[] = [];
  const run = guarded(execute);
  let started = false;

  async function offer(job: JobDefinition): Promise<void> {
    // One job per interval slot, whichever process offers it first.
    await boss.send(
      job.name,
      { trigger: 'schedule' },
      { singletonKey: job.name, singletonSeconds: job.intervalSeconds },
    );
  }

  return {
    async start({ work }) {
      started = true;
      await boss.start();
      for (const job of registry.all()) {
        await boss.createQueue(job.name, { name: job.name, expireInSeconds: timeoutSeconds, retryLimit: 3 });
        if (!work) continue;
        await boss.work<{ trigger: string }>(job.name, { pollingIntervalSeconds: 1 }, async ([j]) => ({
          runId: await run(job, j?.data.trigger ?? 'schedule'),
        }));
        const timer = setInterval(() => {
          offer(job).catch((err) => log.error({ err, job: job.name }, 'could not offer a job'));
        }, job.intervalSeconds * 1000);
        timer.unref();
        timers.push(timer);
      }
    },
    async runNow(job, trigger) {
      const id = await boss.send(job.name, { trigger }, { expireInSeconds: timeoutSeconds });
      if (!id) throw new Error(`pg-boss did not accept a run of ${job.name}`);
      const deadline = Date.now() + 1000 * (timeoutSeconds + 30);
      while (Date.now() < deadline) {
        const found = await boss.getJobById<{ trigger: string }>(job.name, id, { includeArchive: true });
        const output = found?.output as { runId?: number } | undefined;
        if (found?.state === 'completed' && output?.runId) return output.runId;
        if (found?.state === 'failed' || found?.state === 'cancelled')
          throw new Error(`the run of ${job.name} ended ${found.state}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new ConflictError(`job ${job.name} did not finish within ${timeoutSeconds + 30} s; see tarsier job list`);
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      if (started) await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    },
  };
}
