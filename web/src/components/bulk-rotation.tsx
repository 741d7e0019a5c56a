// Rotate every certificate the inventory's filters match (POST /api/v1/rotations/bulk): a dry run first lists
// what would be rotated or skipped and why; only then is the real rotation offered, for the same filters.
import { useState } from 'react';
import { api } from '../lib/api.ts';
import type { BulkRotation as Result } from '../lib/types.ts';
import { useAction } from '../lib/use-api.ts';
import { type Column, DataTable } from './data-table.tsx';
import { ErrorNotice } from './form.tsx';

type Row = Result['items'][number] & { id: number };

const columns: Column<Row>[] = [
  {
    key: 'name',
    label: 'Certificate',
    render: (r) => <a href={`#/certificates/${r.certificateId}`}>{r.commonName}</a>,
  },
  { key: 'expires', label: 'Expires', render: (r) => r.notAfter.slice(0, 10) },
  { key: 'action', label: 'Action', render: (r) => r.action },
  {
    key: 'detail',
    label: 'Why or what',
    render: (r) =>
      r.newCertificateId ? (
        <a href={`#/certificates/${r.newCertificateId}`}>certificate {r.newCertificateId}</a>
      ) : (
        (r.reason ?? '')
      ),
  },
];

export function BulkRotation({ filter, done }: { filter: Record<string, string | number>; done: () => void }) {
  const [result, setResult] = useState<Result>();
  const action = useAction();
  const key = JSON.stringify(filter);
  const [checked, setChecked] = useState('');
  const send = async (dryRun: boolean) => {
    const r = await action.run(() => api<Result>('POST', '/api/v1/rotations/bulk', { filter, dryRun }));
    if (!r) return;
    setResult(r);
    setChecked(dryRun ? key : '');
    if (!dryRun) done();
  };
  const toRotate = result?.items.filter((i) => i.action === 'rotate').length ?? 0;
  return (
    <details className="panel">
      <summary>Rotate all that match the filters</summary>
      <button type="button" onClick={() => send(true)} disabled={action.busy}>
        Dry run: what would be rotated
      </button>
      {checked === key && toRotate > 0 && (
        <button type="button" className="danger" onClick={() => send(false)} disabled={action.busy}>
          Rotate {toRotate} certificates now
        </button>
      )}
      <ErrorNotice error={action.error} />
      {result && (
        <DataTable
          caption={result.dryRun ? 'Dry run: what would happen' : 'Rotation results'}
          columns={columns}
          rows={result.items.map((i) => ({ ...i, id: i.certificateId }))}
        />
      )}
    </details>
  );
}
