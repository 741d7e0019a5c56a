// One run of a discovery source: its progress while it runs (polled once a second), then its counts and every
// item with its outcome, the certificate found and the problems seen; "errors only" shows the failures.
import { useEffect, useState } from 'react';
import type { Page, SourceRun, SourceRunItem } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { type Column, DataTable } from './data-table.tsx';
import { CheckField, ErrorNotice } from './form.tsx';

const columns: Column<SourceRunItem>[] = [
  { key: 'target', label: 'Target', render: (i) => i.target },
  {
    key: 'status',
    label: 'Result',
    render: (i) => <span className={`status ${i.status === 'error' ? 'failed' : ''}`}>{i.status}</span>,
  },
  { key: 'message', label: 'Why', render: (i) => i.message ?? '' },
  {
    key: 'certificate',
    label: 'Certificate',
    render: (i) =>
      i.certificateId ? (
        <a href={`#/certificates/${i.certificateId}`}>
          {i.certificateId}
          {i.isNew ? ' (new)' : ''}
        </a>
      ) : (
        ''
      ),
  },
  { key: 'change', label: 'Endpoint', render: (i) => i.change ?? '' },
  { key: 'problems', label: 'Problems', render: (i) => i.problems.join(', ') },
];

export const runSummary = (r: SourceRun) =>
  r.status === 'running'
    ? `running: ${r.itemsDone} of ${r.itemsTotal ?? '?'} items`
    : `${r.status}: ${r.itemsDone} items, ${r.itemsFailed} failed, ${r.certificatesNew} new certificates, ` +
      `${r.endpointsGone} endpoints gone${r.error ? ` (${r.error})` : ''}`;

export function SourceRunView({ runId, onFinished }: { runId: number; onFinished: () => void }) {
  const run = useApi<SourceRun>(`/api/v1/sources/runs/${runId}`);
  const [errorsOnly, setErrorsOnly] = useState(false);
  const running = run.data?.status === 'running';
  const finished = run.data && !running;
  const items = useApi<Page<SourceRunItem>>(
    finished ? `/api/v1/sources/runs/${runId}/items?limit=1000${errorsOnly ? '&status=error' : ''}` : undefined,
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: polls only while the run runs; reload is stable per run
  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(() => void run.reload(), 1000);
    return () => clearTimeout(timer);
  }, [run.data]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: tell the list once, when the run ends
  useEffect(() => {
    if (finished) onFinished();
  }, [finished]);
  return (
    <section aria-labelledby="run" className="panel">
      <h2 id="run">Run {runId}</h2>
      <ErrorNotice error={run.error ?? items.error} />
      {run.data && <p role="status">{runSummary(run.data)}</p>}
      {finished && (
        <>
          <CheckField label="Errors only" checked={errorsOnly} onChange={setErrorsOnly} />
          <DataTable caption={`Items of run ${runId}`} columns={columns} rows={items.data?.items ?? []} />
          {items.data?.next && <p className="hint">The first 1,000 items are shown.</p>}
        </>
      )}
    </section>
  );
}
