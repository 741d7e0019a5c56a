// Background jobs: what each does, how often, its last run (result or error, which process) and its next run;
// "Run now" runs one and shows the finished run.
import { useState } from 'react';
import { type Column, DataTable } from '../components/data-table.tsx';
import { ErrorNotice } from '../components/form.tsx';
import { api } from '../lib/api.ts';
import { useSession } from '../lib/session.tsx';
import type { Job, Page } from '../lib/types.ts';
import { useAction, useApi } from '../lib/use-api.ts';

type JobRun = NonNullable<Job['lastRun']>;
const at = (s: string | null) => (s ? s.replace('T', ' ').slice(0, 19) : '');
const every = (seconds: number) =>
  seconds % 3600 === 0 ? `${seconds / 3600} h` : seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;

/** A run in one line: status, when, and its summary or error. */
export const describeRun = (r: JobRun) =>
  `${r.status} ${at(r.finishedAt ?? r.startedAt)}${r.error ? `: ${r.error}` : ''}` +
  (r.result && Object.keys(r.result).length ? ` — ${JSON.stringify(r.result)}` : '');

function RunNow({ job, done }: { job: Job; done: (run: JobRun) => void }) {
  const action = useAction();
  const run = async () => {
    const finished = await action.run(() => api<JobRun>('POST', `/api/v1/jobs/${job.name}/run`));
    if (finished) done(finished);
  };
  return (
    <div className="actions">
      <button type="button" onClick={run} disabled={action.busy} aria-label={`Run ${job.name} now`}>
        {action.busy ? 'Running…' : 'Run now'}
      </button>
      <ErrorNotice error={action.error} />
    </div>
  );
}

export function Jobs() {
  const { can } = useSession();
  const { data, error, reload } = useApi<Page<Job>>('/api/v1/jobs');
  const [message, setMessage] = useState('');
  const columns: Column<Job>[] = [
    { key: 'name', label: 'Job', render: (j) => j.name },
    { key: 'what', label: 'What it does', render: (j) => j.description },
    { key: 'every', label: 'Every', render: (j) => every(j.intervalSeconds) },
    {
      key: 'last',
      label: 'Last run',
      render: (j) =>
        j.lastRun ? (
          <>
            <span className={`status ${j.lastRun.status === 'failed' ? 'failed' : ''}`}>{j.lastRun.status}</span>{' '}
            {describeRun(j.lastRun).slice(j.lastRun.status.length)} <small className="hint">{j.lastRun.process}</small>
          </>
        ) : (
          'never'
        ),
    },
    { key: 'next', label: 'Next run', render: (j) => at(j.nextRunAt) },
    ...(can('job:run')
      ? [
          {
            key: 'run',
            label: 'Actions',
            render: (j: Job) => (
              <RunNow
                job={j}
                done={(r) => {
                  setMessage(`${j.name}: ${describeRun(r)}`);
                  void reload();
                }}
              />
            ),
          },
        ]
      : []),
  ];
  return (
    <>
      <h1>Jobs</h1>
      <ErrorNotice error={error} />
      <p role="status">{message}</p>
      <DataTable
        caption="Background jobs"
        columns={columns}
        rows={(data?.items ?? []).map((j, i) => ({ ...j, id: i }))}
      />
    </>
  );
}
