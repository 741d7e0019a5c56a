// The inventory: search as you type (debounced, the server's trigram index), filters, server-side sorting and
// keyset paging (fast on any page at a million certificates), and bulk actions on the selected rows.
import { useEffect, useMemo, useState } from 'react';
import { BulkRotation } from '../components/bulk-rotation.tsx';
import { type Column, DataTable } from '../components/data-table.tsx';
import { ErrorNotice, SelectField, TextField } from '../components/form.tsx';
import { Pager } from '../components/pager.tsx';
import { api } from '../lib/api.ts';
import { bulkFilter, filtersFromHash, type InventoryFilters, listPath } from '../lib/inventory.ts';
import { currentCursor, firstPage, pageNumber } from '../lib/paging.ts';
import { useSession } from '../lib/session.tsx';
import { type Authority, type Certificate, KEY_TYPES, type Page } from '../lib/types.ts';
import { useAction, useApi } from '../lib/use-api.ts';

const STATUSES = ['', 'valid', 'expired', 'revoked', 'not-yet-valid'];

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

const columns: Column<Certificate>[] = [
  {
    key: 'name',
    label: 'Name',
    sort: 'commonName',
    render: (c) => <a href={`#/certificates/${c.id}`}>{c.commonName ?? c.sans.dns[0] ?? `#${c.id}`}</a>,
  },
  { key: 'status', label: 'Status', render: (c) => <span className={`status ${c.status}`}>{c.status}</span> },
  { key: 'notAfter', label: 'Expires', sort: 'notAfter', render: (c) => c.notAfter.slice(0, 10) },
  { key: 'keyType', label: 'Key', render: (c) => c.keyType },
  { key: 'owner', label: 'Owner', render: (c) => c.owner ?? '' },
  { key: 'notify', label: 'Notify', render: (c) => (c.notify ? 'on' : 'off') },
];

export function Certificates() {
  const { can } = useSession();
  const [filters, setFilters] = useState<InventoryFilters>(() => filtersFromHash(window.location.hash));
  const [paging, setPaging] = useState(firstPage());
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [message, setMessage] = useState('');
  const debounced = useDebounced(filters, 250);
  const path = useMemo(() => listPath(debounced, currentCursor(paging)), [debounced, paging]);
  const { data, error, loading, reload } = useApi<Page<Certificate>>(path);
  const authorities = useApi<Page<Authority>>('/api/v1/authorities');
  const bulk = useAction();
  const set = (k: keyof InventoryFilters) => (v: string) => {
    setFilters((f) => ({ ...f, [k]: v }));
    setPaging(firstPage());
    setSelected(new Set());
  };
  const apply = async (label: string, one: (id: number) => Promise<unknown>) => {
    const ids = [...selected];
    let done = 0;
    await bulk.run(async () => {
      for (const id of ids) {
        await one(id);
        done++;
      }
    });
    setMessage(`${label}: ${done} of ${ids.length} done`);
    setSelected(new Set());
    await reload();
  };
  return (
    <>
      <h1>Certificates</h1>
      <search className="filters" aria-label="Search and filter certificates">
        <TextField
          label="Search"
          type="search"
          value={filters.q}
          onChange={set('q')}
          hint="a name, serial or fingerprint; results follow as you type"
        />
        <SelectField label="Status" value={filters.status} onChange={set('status')} options={STATUSES} />
        <SelectField
          label="Authority"
          value={filters.authorityId}
          onChange={set('authorityId')}
          options={[
            { value: '', label: '(any)' },
            ...(authorities.data?.items ?? []).map((a) => ({ value: String(a.id), label: a.name })),
          ]}
        />
        <SelectField label="Key type" value={filters.keyType} onChange={set('keyType')} options={['', ...KEY_TYPES]} />
        <TextField label="Owner" value={filters.owner} onChange={set('owner')} />
        <SelectField
          label="Expiring within"
          value={filters.expiringWithinDays}
          onChange={set('expiringWithinDays')}
          options={[
            { value: '', label: '(any time)' },
            ...[7, 30, 90].map((d) => ({ value: String(d), label: `${d} days` })),
          ]}
        />
      </search>
      {selected.size > 0 && (
        <div className="toolbar" role="toolbar" aria-label="Actions on the selected certificates">
          <span>{selected.size} selected</span>
          {can('certificate:update') && (
            <>
              <button
                type="button"
                onClick={() => apply('Notify on', (id) => api('PATCH', `/api/v1/certificates/${id}`, { notify: true }))}
              >
                Notify on
              </button>
              <button
                type="button"
                onClick={() =>
                  apply('Notify off', (id) => api('PATCH', `/api/v1/certificates/${id}`, { notify: false }))
                }
              >
                Notify off
              </button>
            </>
          )}
          {can('certificate:rotate') && (
            <button
              type="button"
              onClick={() => apply('Rotate', (id) => api('POST', `/api/v1/certificates/${id}/rotate`, {}))}
            >
              Rotate
            </button>
          )}
        </div>
      )}
      {can('certificate:rotate') && <BulkRotation filter={bulkFilter(debounced)} done={reload} />}
      <p role="status" aria-live="polite" className="hint">
        {loading ? 'Loading…' : message}
      </p>
      <ErrorNotice error={error ?? bulk.error} />
      <DataTable
        caption={`Certificates, page ${pageNumber(paging)}`}
        columns={columns}
        rows={data?.items ?? []}
        sort={filters.sort}
        onSort={set('sort')}
        selected={selected}
        onSelect={setSelected}
        rowLabel={(c) => c.commonName ?? `certificate ${c.id}`}
      />
      <Pager paging={paging} onPaging={setPaging} next={data?.next} />
    </>
  );
}
