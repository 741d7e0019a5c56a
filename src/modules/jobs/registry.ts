// The background jobs this server knows, by name. A module adds its periodic work with one call
// (`jobs.add({ name, description, intervalSeconds, run })` in services.ts); the scheduler runs each job on its
// interval, once across all processes, and records every run.

/** What a job reports; stored as the run's result and shown by `tarsier job list`. */
export type JobResult = Record<string, unknown>;

export interface JobDefinition {
  /** kebab-case, stable: it names the pg-boss queue and the TARSIER_JOB_INTERVALS entry */
  readonly name: string;
  readonly description: string;
  /** Default interval; TARSIER_JOB_INTERVALS overrides it */
  readonly intervalSeconds: number;
  /** Does one pass. Must be safe to run twice at once (several processes) and after a crash mid-pass. */
  run(): Promise<JobResult>;
}

export function createJobRegistry(intervals: Record<string, number> = {}) {
  const jobs = new Map<string, JobDefinition>();
  return {
    /** Registers a job; its interval comes from the settings when they name it. */
    add(job: JobDefinition): void {
      if (jobs.has(job.name)) throw new Error(`job ${job.name} is registered twice`);
      jobs.set(job.name, { ...job, intervalSeconds: intervals[job.name] ?? job.intervalSeconds });
    },
    get: (name: string) => jobs.get(name),
    all: () => [...jobs.values()],
  };
}

export type JobRegistry = ReturnType<typeof createJobRegistry>;
