// Destinations: where certificates are deployed. A list with test, edit and delete per row, and the create and
// edit form rendered from each plugin's schemas (GET /api/v1/destinations/plugins).
import { useState } from 'react';
import { type Column, DataTable } from '../components/data-table.tsx';
import { ErrorNotice } from '../components/form.tsx';
import { PluginInstanceForm } from '../components/plugin-instance-form.tsx';
import { api } from '../lib/api.ts';
import { useSession } from '../lib/session.tsx';
import type { Destination, Page, PluginDescription } from '../lib/types.ts';
import { useAction, useApi } from '../lib/use-api.ts';

/** The one setting that says where a destination delivers, whatever its plugin. */
const where = (d: Destination) => {
  const o = d.options as Record<string, unknown>;
  return String(o.url ?? (o.host ? `${o.host}:${o.path ?? ''}` : (o.path ?? '')));
};

function RowActions({ d, edit, reload }: { d: Destination; edit: () => void; reload: () => void }) {
  const action = useAction();
  const [result, setResult] = useState<{ ok: boolean; message: string }>();
  const test = async () => {
    setResult(undefined);
    setResult(
      await action.run(() => api<{ ok: boolean; message: string }>('POST', `/api/v1/destinations/${d.id}/test`)),
    );
  };
  const remove = async () => {
    if (await action.run(() => api('DELETE', `/api/v1/destinations/${d.id}`))) reload();
  };
  return (
    <div className="actions">
      <button type="button" onClick={test} disabled={action.busy} aria-label={`Test ${d.name}`}>
        Test
      </button>
      <button type="button" onClick={edit} aria-label={`Edit ${d.name}`}>
        Edit
      </button>
      <button type="button" className="danger" onClick={remove} disabled={action.busy} aria-label={`Delete ${d.name}`}>
        Delete
      </button>
      {result && (
        <span role="status" className={result.ok ? 'status' : 'status failed'}>
          {result.ok ? 'works' : 'failed'}: {result.message}
        </span>
      )}
      <ErrorNotice error={action.error} />
    </div>
  );
}

export function Destinations() {
  const { can } = useSession();
  const list = useApi<Page<Destination>>('/api/v1/destinations');
  const plugins = useApi<Page<PluginDescription>>('/api/v1/destinations/plugins');
  const [editing, setEditing] = useState<Destination>();
  const manage = can('destination:manage');
  const columns: Column<Destination>[] = [
    { key: 'name', label: 'Name', render: (d) => d.name },
    { key: 'plugin', label: 'Plugin', render: (d) => d.plugin },
    { key: 'where', label: 'Where', render: where },
    { key: 'secrets', label: 'Credentials set', render: (d) => d.secretsSet.join(', ') || 'none' },
    ...(manage
      ? [
          {
            key: 'actions',
            label: 'Actions',
            render: (d: Destination) => <RowActions d={d} edit={() => setEditing(d)} reload={list.reload} />,
          },
        ]
      : []),
  ];
  const done = () => {
    setEditing(undefined);
    void list.reload();
  };
  const loaded = plugins.data?.items;
  return (
    <>
      <h1>Destinations</h1>
      <p className="hint">Where certificates are deployed, with their chain and key, when issued or rotated.</p>
      <ErrorNotice error={list.error} />
      <DataTable caption="Destinations" columns={columns} rows={list.data?.items ?? []} />
      {manage && loaded && (
        <PluginInstanceForm
          key={editing?.id ?? 'new'}
          noun="destination"
          heading={editing ? `Edit ${editing.name}` : 'New destination'}
          submitLabel={editing ? 'Save changes' : 'Create destination'}
          endpoint="/api/v1/destinations"
          plugins={loaded}
          editing={editing}
          done={done}
        />
      )}
    </>
  );
}
