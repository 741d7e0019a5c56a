// `tarsier job list|show|run`: the background jobs, through /api/v1/jobs.
import type { Command } from 'commander';
import { type ClientFlags, connect, withClientOptions } from './client.ts';
import { formatTime, print, printJson, printTable } from './output.ts';

interface Run {
  id: number;
  status: string;
  trigger: string;
  process: string;
  result: Record<string, unknown> | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}
interface Job {
  name: string;
  description: string;
  intervalSeconds: number;
  lastRun: Run | null;
  nextRunAt: string;
  runs?: Run[];
}

const outcome = (r: Run | null) => (r ? (r.error ?? JSON.stringify(r.result ?? {})) : '');

export function registerJobCommands(program: Command): void {
  const job = program.command('job').description('background jobs: expiry notices, rotation, retries, checks');

  withClientOptions(job.command('list').description('every job with its last run, result and next run')).action(
    async (flags: ClientFlags) => {
      const { body } = await connect(flags).json<{ items: Job[] }>('GET', '/api/v1/jobs');
      if (flags.json) return printJson(body);
      printTable(
        ['NAME', 'EVERY', 'LAST RUN', 'STATUS', 'RESULT', 'NEXT RUN'],
        body.items.map((j) => [
          j.name,
          `${j.intervalSeconds}s`,
          formatTime(j.lastRun?.startedAt),
          j.lastRun?.status ?? 'never run',
          outcome(j.lastRun),
          formatTime(j.nextRunAt),
        ]),
      );
    },
  );

  withClientOptions(
    job.command('show').description('one job and its recent runs').argument('<name>', 'job name'),
  ).action(async (name: string, flags: ClientFlags) => {
    const { body } = await connect(flags).json<Job>('GET', `/api/v1/jobs/${encodeURIComponent(name)}`);
    if (flags.json) return printJson(body);
    print(`${body.name}: ${body.description} (every ${body.intervalSeconds}s, next ${formatTime(body.nextRunAt)})`);
    printTable(
      ['RUN', 'STARTED', 'STATUS', 'TRIGGER', 'PROCESS', 'RESULT'],
      (body.runs ?? []).map((r) => [r.id, formatTime(r.startedAt), r.status, r.trigger, r.process, outcome(r)]),
    );
  });

  withClientOptions(
    job.command('run').description('run a job now and wait for its result').argument('<name>', 'job name'),
  ).action(async (name: string, flags: ClientFlags) => {
    const { body } = await connect(flags).json<Run>('POST', `/api/v1/jobs/${encodeURIComponent(name)}/run`);
    if (flags.json) return printJson(body);
    print(`${name}: ${body.status} (run ${body.id} in ${body.process}) ${outcome(body)}`);
  });
}
