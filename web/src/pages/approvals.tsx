// Requests held for approval (reviewers approve or reject with a comment; others see their own) and the
// pending certificates external issuers are still working on (retry, cancel).
import { useState } from 'react';
import { type Column, DataTable } from '../components/data-table.tsx';
import { ErrorNotice, SelectField } from '../components/form.tsx';
import { api } from '../lib/api.ts';
import { useSession } from '../lib/session.tsx';
import type { HeldRequest, Page, PendingCertificate as Pending } from '../lib/types.ts';
import { useAction, useApi } from '../lib/use-api.ts';

export function Approvals() {
  const { can } = useSession();
  const [status, setStatus] = useState('pending');
  const requests = useApi<Page<HeldRequest>>(`/api/v1/requests${status ? `?status=${status}` : ''}`);
  const pending = useApi<Page<Pending>>('/api/v1/pending-certificates');
  const [comments, setComments] = useState<Record<number, string>>({});
  const action = useAction();
  const act = async (path: string, body: object, reload: () => Promise<void>) => {
    await action.run(() => api('POST', path, body));
    await reload();
  };
  const requestColumns: Column<HeldRequest>[] = [
    { key: 'names', label: 'Names', render: (r) => r.names.join(', ') },
    { key: 'by', label: 'Requested by', render: (r) => r.requestedBy },
    { key: 'why', label: 'Held because', render: (r) => r.heldFor.map((h) => `${h.name}: ${h.why}`).join('; ') },
    { key: 'reason', label: 'Reason given', render: (r) => r.reason ?? '' },
    {
      key: 'status',
      label: 'Status',
      render: (r) => (r.certificateId ? <a href={`#/certificates/${r.certificateId}`}>{r.status}</a> : r.status),
    },
    {
      key: 'decide',
      label: 'Decision',
      render: (r) =>
        r.status === 'pending' &&
        can('request:approve') && (
          <div className="inline">
            <input
              aria-label={`Comment on request ${r.id}`}
              placeholder="comment"
              value={comments[r.id] ?? ''}
              onChange={(e) => setComments({ ...comments, [r.id]: e.target.value })}
            />
            <button
              type="button"
              onClick={() => act(`/api/v1/requests/${r.id}/approve`, { comment: comments[r.id] }, requests.reload)}
            >
              Approve
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => act(`/api/v1/requests/${r.id}/reject`, { comment: comments[r.id] }, requests.reload)}
            >
              Reject
            </button>
          </div>
        ),
    },
  ];
  const pendingColumns: Column<Pending>[] = [
    { key: 'name', label: 'Name', render: (p) => p.commonName },
    { key: 'issuer', label: 'Issuer', render: (p) => p.issuer },
    { key: 'status', label: 'Status', render: (p) => p.status },
    { key: 'attempts', label: 'Attempts', render: (p) => p.attempts },
    { key: 'error', label: 'Last error', render: (p) => p.upstreamError ?? p.lastError ?? '' },
    {
      key: 'actions',
      label: 'Actions',
      render: (p) =>
        can('certificate:issue') &&
        !['issued', 'cancelled'].includes(p.status) && (
          <div className="inline">
            <button type="button" onClick={() => act(`/api/v1/pending-certificates/${p.id}/retry`, {}, pending.reload)}>
              Retry
            </button>
            <button
              type="button"
              onClick={() => act(`/api/v1/pending-certificates/${p.id}/cancel`, {}, pending.reload)}
            >
              Cancel
            </button>
          </div>
        ),
    },
  ];
  return (
    <>
      <h1>Approvals and pending certificates</h1>
      <ErrorNotice error={requests.error ?? action.error} />
      <SelectField
        label="Requests"
        value={status}
        onChange={setStatus}
        options={['pending', 'approved', 'rejected', 'failed', '']}
      />
      <DataTable caption="Requests held for approval" columns={requestColumns} rows={requests.data?.items ?? []} />
      <DataTable
        caption="Pending certificates (external issuers)"
        columns={pendingColumns}
        rows={pending.data?.items ?? []}
      />
    </>
  );
}
