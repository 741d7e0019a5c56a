// Registered domains: the names the request wizard suggests, and the sensitive ones whose requests need approval.
import { type FormEvent, useState } from 'react';
import { type Column, DataTable } from '../components/data-table.tsx';
import { CheckField, ErrorNotice, TextField } from '../components/form.tsx';
import { api } from '../lib/api.ts';
import { useSession } from '../lib/session.tsx';
import type { Domain, Page } from '../lib/types.ts';
import { useAction, useApi } from '../lib/use-api.ts';

export function Domains() {
  const { can } = useSession();
  const { data, error, reload } = useApi<Page<Domain>>('/api/v1/domains');
  const [name, setName] = useState('');
  const [sensitive, setSensitive] = useState(false);
  const action = useAction();
  const manage = can('domain:manage');
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (await action.run(() => api('POST', '/api/v1/domains', { name, sensitive }))) {
      setName('');
      await reload();
    }
  };
  const change = async (fn: () => Promise<unknown>) => {
    await action.run(fn);
    await reload();
  };
  const columns: Column<Domain>[] = [
    { key: 'name', label: 'Domain', render: (d) => d.name },
    {
      key: 'sensitive',
      label: 'Sensitive',
      render: (d) =>
        manage ? (
          <input
            type="checkbox"
            aria-label={`${d.name} is sensitive`}
            checked={d.sensitive}
            onChange={(e) => change(() => api('PATCH', `/api/v1/domains/${d.id}`, { sensitive: e.target.checked }))}
          />
        ) : d.sensitive ? (
          'yes'
        ) : (
          'no'
        ),
    },
    {
      key: 'actions',
      label: 'Actions',
      render: (d) =>
        manage && (
          <button
            type="button"
            aria-label={`Forget ${d.name}`}
            onClick={() => change(() => api('DELETE', `/api/v1/domains/${d.id}`))}
          >
            Forget
          </button>
        ),
    },
  ];
  return (
    <>
      <h1>Domains</h1>
      <ErrorNotice error={error ?? action.error} />
      <DataTable caption="Registered domains" columns={columns} rows={data?.items ?? []} />
      {manage && (
        <form onSubmit={add} aria-labelledby="new-domain" className="panel">
          <h2 id="new-domain">Register a domain</h2>
          <TextField label="Domain name" value={name} onChange={setName} hint="e.g. example.com" required />
          <CheckField
            label="Sensitive: requests need a security reviewer's approval"
            checked={sensitive}
            onChange={setSensitive}
          />
          <button type="submit" className="primary">
            Register domain
          </button>
        </form>
      )}
    </>
  );
}
