// A certificate's deployments on its detail page: every deployment (newest first, failures with their error and
// the command's output), what is at each destination now, and a "Deploy" form for callers with certificate:deploy.
import { type FormEvent, useState } from 'react';
import { api } from '../lib/api.ts';
import { useSession } from '../lib/session.tsx';
import type { DeployedState, Deployment, Destination, Page } from '../lib/types.ts';
import { useAction, useApi } from '../lib/use-api.ts';
import { type Column, DataTable } from './data-table.tsx';
import { DestinationPicker } from './destination-picker.tsx';
import { ErrorNotice } from './form.tsx';

const columns: Column<Deployment>[] = [
  { key: 'when', label: 'When', render: (d) => d.deployedAt.replace('T', ' ').slice(0, 19) },
  { key: 'destination', label: 'Destination', render: (d) => d.destination ?? `#${d.destinationId}` },
  { key: 'status', label: 'Result', render: (d) => <span className={`status ${d.status}`}>{d.status}</span> },
  { key: 'location', label: 'Location', render: (d) => d.location ?? '' },
  { key: 'by', label: 'By', render: (d) => d.deployedBy ?? '' },
  {
    key: 'detail',
    label: 'Details',
    render: (d) => (
      <>
        {d.error}
        {d.exitCode !== null && ` exit ${d.exitCode}`}
        {d.output && <pre className="output">{d.output}</pre>}
      </>
    ),
  },
];

function DeployForm({ certificateId, done }: { certificateId: number; done: () => void }) {
  const destinations = useApi<Page<Destination>>('/api/v1/destinations').data?.items ?? [];
  const [chosen, setChosen] = useState<number[]>([]);
  const action = useAction();
  const [summary, setSummary] = useState('');
  const deploy = async (e: FormEvent) => {
    e.preventDefault();
    const body = chosen.length ? { destinations: chosen } : {};
    const reply = await action.run(() =>
      api<Page<Deployment>>('POST', `/api/v1/certificates/${certificateId}/deploy`, body),
    );
    if (!reply) return;
    const failed = reply.items.filter((d) => d.status === 'failed').length;
    setSummary(`Deployed to ${reply.items.length - failed} of ${reply.items.length} destinations.`);
    setChosen([]);
    done();
  };
  return (
    <form onSubmit={deploy} aria-label="Deploy" className="panel">
      <DestinationPicker
        legend="Deploy to (none chosen: wherever it went before)"
        destinations={destinations}
        chosen={chosen}
        onChange={setChosen}
      />
      <button type="submit" disabled={action.busy}>
        Deploy
      </button>
      {summary && <p role="status">{summary}</p>}
      <ErrorNotice error={action.error} />
    </form>
  );
}

function CurrentState({ certificateId }: { certificateId: number }) {
  const action = useAction();
  const [items, setItems] = useState<DeployedState[]>();
  const check = async () =>
    setItems(
      (await action.run(() => api<Page<DeployedState>>('GET', `/api/v1/certificates/${certificateId}/deployed`)))
        ?.items,
    );
  return (
    <>
      <button type="button" onClick={check} disabled={action.busy}>
        Check what is there now
      </button>
      {items && (
        <ul aria-label="At each destination now">
          {items.map((i) => (
            <li key={i.destinationId}>
              {i.destination}: <strong>{i.state}</strong>
              {i.serial && ` (serial ${i.serial})`}
              {i.error && ` ${i.error}`}
            </li>
          ))}
        </ul>
      )}
      <ErrorNotice error={action.error} />
    </>
  );
}

export function Deployments({ certificateId }: { certificateId: number }) {
  const { can } = useSession();
  const list = useApi<Page<Deployment>>(`/api/v1/certificates/${certificateId}/deployments`);
  const rows = list.data?.items ?? [];
  return (
    <section aria-labelledby="deployments">
      <h2 id="deployments">Deployments</h2>
      <ErrorNotice error={list.error} />
      {rows.length ? (
        <>
          <DataTable caption="Deployments, newest first" columns={columns} rows={rows} />
          <CurrentState certificateId={certificateId} />
        </>
      ) : (
        <p className="hint">Not deployed anywhere yet.</p>
      )}
      {can('certificate:deploy') && can('destination:read') && (
        <DeployForm certificateId={certificateId} done={list.reload} />
      )}
    </section>
  );
}
