// The audit log, newest first, filtered by actor, action and target, paged by cursor; and a check of the hash
// chain that finds the first altered or missing event.
import { useState } from 'react';
import { type Column, DataTable } from '../components/data-table.tsx';
import { ErrorNotice, TextField } from '../components/form.tsx';
import { Pager } from '../components/pager.tsx';
import { api, query } from '../lib/api.ts';
import { currentCursor, firstPage } from '../lib/paging.ts';
import type { AuditEvent, Page } from '../lib/types.ts';
import { useAction, useApi } from '../lib/use-api.ts';

const columns: Column<AuditEvent>[] = [
  { key: 'at', label: 'When', render: (e) => e.at.replace('T', ' ').slice(0, 19) },
  { key: 'actor', label: 'Who', render: (e) => e.actor },
  { key: 'action', label: 'Action', render: (e) => e.action },
  {
    key: 'target',
    label: 'Target',
    render: (e) =>
      e.targetType === 'certificate' ? (
        <a href={`#/certificates/${e.targetId}`}>certificate {e.targetId}</a>
      ) : (
        [e.targetType, e.targetId].filter(Boolean).join(' ')
      ),
  },
  { key: 'outcome', label: 'Outcome', render: (e) => e.outcome },
  { key: 'from', label: 'From', render: (e) => e.clientAddress ?? '' },
];

export function Audit() {
  const [f, setF] = useState({ actor: '', action: '', targetType: '', targetId: '' });
  const [paging, setPaging] = useState(firstPage());
  const set = (k: keyof typeof f) => (v: string) => {
    setF((x) => ({ ...x, [k]: v }));
    setPaging(firstPage());
  };
  const { data, error } = useApi<Page<AuditEvent>>(
    `/api/v1/audit-events${query({ ...f, limit: 50, cursor: currentCursor(paging) })}`,
  );
  const [verdict, setVerdict] = useState('');
  const action = useAction();
  const verify = async () => {
    const r = await action.run(() =>
      api<{ ok: boolean; count: number; seq?: number; reason?: string }>('POST', '/api/v1/audit-events/verify'),
    );
    if (r)
      setVerdict(r.ok ? `The chain is intact: ${r.count} events verified.` : `Broken at event ${r.seq}: ${r.reason}.`);
  };
  return (
    <>
      <h1>Audit log</h1>
      <search className="filters" aria-label="Filter the audit log">
        <TextField label="Actor" value={f.actor} onChange={set('actor')} hint="e.g. user:alice" />
        <TextField label="Action" value={f.action} onChange={set('action')} hint="e.g. certificate.revoke" />
        <TextField label="Target type" value={f.targetType} onChange={set('targetType')} />
        <TextField label="Target id" value={f.targetId} onChange={set('targetId')} />
      </search>
      <button type="button" onClick={verify}>
        Verify the hash chain
      </button>
      <p role="status">{verdict}</p>
      <ErrorNotice error={error ?? action.error} />
      <DataTable caption="Audit events, newest first" columns={columns} rows={data?.items ?? []} />
      <Pager paging={paging} onPaging={setPaging} next={data?.next} labels={['Newer', 'Older']} />
    </>
  );
}
