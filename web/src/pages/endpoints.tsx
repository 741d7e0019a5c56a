// Endpoints: every place a certificate was seen (TLS host:port with its SNI name, files, destination paths), with
// status (current, changed, gone), the certificate it shows and the problems seen there; filtered and paged.
import { useState } from 'react';
import { type Column, DataTable } from '../components/data-table.tsx';
import { ErrorNotice, SelectField, TextField } from '../components/form.tsx';
import { Pager } from '../components/pager.tsx';
import { query } from '../lib/api.ts';
import { currentCursor, firstPage } from '../lib/paging.ts';
import type { Endpoint, Page } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';

const ANY = { value: '', label: 'any' };
const certificateLink = (id: number | null) => (id ? <a href={`#/certificates/${id}`}>certificate {id}</a> : '');

export const endpointColumns: Column<Endpoint>[] = [
  { key: 'location', label: 'Location', render: (e) => e.location },
  { key: 'kind', label: 'Kind', render: (e) => e.kind },
  {
    key: 'status',
    label: 'Status',
    render: (e) => <span className={`status ${e.status === 'current' ? '' : 'failed'}`}>{e.status}</span>,
  },
  { key: 'certificate', label: 'Certificate', render: (e) => certificateLink(e.certificateId) },
  { key: 'previous', label: 'Before the change', render: (e) => certificateLink(e.previousCertificateId) },
  { key: 'problems', label: 'Problems', render: (e) => e.problems.join(', ') },
  { key: 'seen', label: 'Last seen', render: (e) => e.lastSeenAt.replace('T', ' ').slice(0, 16) },
];

export function Endpoints() {
  const [f, setF] = useState({ q: '', status: '', kind: '' });
  const [paging, setPaging] = useState(firstPage());
  const set = (k: keyof typeof f) => (v: string) => {
    setF((x) => ({ ...x, [k]: v }));
    setPaging(firstPage());
  };
  const { data, error } = useApi<Page<Endpoint>>(
    `/api/v1/endpoints${query({ ...f, limit: 50, cursor: currentCursor(paging) })}`,
  );
  return (
    <>
      <h1>Endpoints</h1>
      <search className="filters" aria-label="Filter endpoints">
        <TextField label="Location contains" type="search" value={f.q} onChange={set('q')} />
        <SelectField
          label="Status"
          value={f.status}
          onChange={set('status')}
          options={[ANY, 'current', 'changed', 'gone']}
        />
        <SelectField label="Kind" value={f.kind} onChange={set('kind')} options={[ANY, 'tls', 'file', 'destination']} />
      </search>
      <ErrorNotice error={error} />
      <DataTable caption="Endpoints" columns={endpointColumns} rows={data?.items ?? []} />
      <Pager paging={paging} onPaging={setPaging} next={data?.next} />
    </>
  );
}
