// Destinations: where certificates are deployed. The shared plugin-instance page (list, create and edit from each
// plugin's schemas, delete) with a "Test" action per row that proves the destination works now.
import { useState } from 'react';
import type { Column } from '../components/data-table.tsx';
import { ErrorNotice } from '../components/form.tsx';
import { PluginInstances } from '../components/plugin-instances.tsx';
import { api } from '../lib/api.ts';
import { useSession } from '../lib/session.tsx';
import type { Destination } from '../lib/types.ts';
import { useAction } from '../lib/use-api.ts';

/** The one setting that says where a destination delivers, whatever its plugin. */
const where = (d: Destination) => {
  const o = d.options as Record<string, unknown>;
  return String(o.url ?? (o.host ? `${o.host}:${o.path ?? ''}` : (o.path ?? '')));
};

const columns: Column<Destination>[] = [
  { key: 'name', label: 'Name', render: (d) => d.name },
  { key: 'plugin', label: 'Plugin', render: (d) => d.plugin },
  { key: 'where', label: 'Where', render: where },
  { key: 'secrets', label: 'Credentials set', render: (d) => d.secretsSet.join(', ') || 'none' },
];

function TestButton({ d }: { d: Destination }) {
  const action = useAction();
  const [result, setResult] = useState<{ ok: boolean; message: string }>();
  const test = async () => {
    setResult(undefined);
    setResult(
      await action.run(() => api<{ ok: boolean; message: string }>('POST', `/api/v1/destinations/${d.id}/test`)),
    );
  };
  return (
    <>
      <button type="button" onClick={test} disabled={action.busy} aria-label={`Test ${d.name}`}>
        Test
      </button>
      {result && (
        <span role="status" className={result.ok ? 'status' : 'status failed'}>
          {result.ok ? 'works' : 'failed'}: {result.message}
        </span>
      )}
      <ErrorNotice error={action.error} />
    </>
  );
}

export function Destinations() {
  const { can } = useSession();
  return (
    <PluginInstances
      title="Destinations"
      intro="Where certificates are deployed, with their chain and key, when issued or rotated."
      noun="destination"
      endpoint="/api/v1/destinations"
      managePermission="destination:manage"
      columns={columns}
      rowActions={(d) => can('destination:manage') && <TestButton d={d} />}
    />
  );
}
