// Discovery sources: the shared plugin-instance page with "Run now" and each source's last run per row; the run
// chosen (or just started) is shown below with its progress, counts and every item's outcome and errors.
import { useState } from 'react';
import type { Column } from '../components/data-table.tsx';
import { ErrorNotice } from '../components/form.tsx';
import { PluginInstances } from '../components/plugin-instances.tsx';
import { runSummary, SourceRunView } from '../components/source-run.tsx';
import { api } from '../lib/api.ts';
import { useSession } from '../lib/session.tsx';
import type { Source, SourceRun } from '../lib/types.ts';
import { useAction } from '../lib/use-api.ts';

/** What a source scans, in a few words: its targets, or its paths (and host). */
const scans = (s: Source) => {
  const o = s.options as Record<string, unknown>;
  const list = (o.targets ?? o.paths ?? []) as string[];
  const shown = list.length > 3 ? `${list.slice(0, 3).join(', ')} and ${list.length - 3} more` : list.join(', ');
  // A source over SFTP reads its paths on another host.
  return o.host ? `${o.host}: ${shown}` : shown;
};

const columns: Column<Source>[] = [
  { key: 'name', label: 'Name', render: (s) => s.name },
  { key: 'plugin', label: 'Plugin', render: (s) => s.plugin },
  { key: 'scans', label: 'Scans', render: scans },
  {
    key: 'last',
    label: 'Last run',
    render: (s) =>
      s.lastRun ? `${s.lastRun.startedAt.slice(0, 16).replace('T', ' ')} ${runSummary(s.lastRun)}` : 'never',
  },
];

function RunButtons({ s, show }: { s: Source; show: (runId: number) => void }) {
  const { can } = useSession();
  const action = useAction();
  const run = async () => {
    const started = await action.run(() => api<SourceRun>('POST', `/api/v1/sources/${s.id}/run`, {}));
    if (started) show(started.id);
  };
  return (
    <>
      {can('source:run') && (
        <button type="button" onClick={run} disabled={action.busy} aria-label={`Run ${s.name} now`}>
          Run now
        </button>
      )}
      {s.lastRun && (
        <button type="button" onClick={() => show(s.lastRun!.id)} aria-label={`Results of ${s.name}`}>
          Results
        </button>
      )}
      <ErrorNotice error={action.error} />
    </>
  );
}

export function Sources() {
  const [runId, setRunId] = useState<number>();
  return (
    <PluginInstances
      title="Sources"
      intro="Discovery: scan TLS endpoints and directories for certificates already in use, import them and flag problems."
      noun="source"
      endpoint="/api/v1/sources"
      managePermission="source:manage"
      columns={columns}
      rowActions={(s) => <RunButtons s={s} show={setRunId} />}
    >
      {({ reload }) => runId !== undefined && <SourceRunView key={runId} runId={runId} onFinished={reload} />}
    </PluginInstances>
  );
}
