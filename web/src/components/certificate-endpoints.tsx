// Where a certificate has been seen (by sources and deployments) on its detail page, and whether it still is.
import type { CertificateEndpoint, Page } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { type Column, DataTable } from './data-table.tsx';
import { ErrorNotice } from './form.tsx';

const day = (at: string) => at.replace('T', ' ').slice(0, 16);

const columns: Column<CertificateEndpoint>[] = [
  { key: 'location', label: 'Location', render: (e) => e.location },
  { key: 'kind', label: 'Kind', render: (e) => e.kind },
  { key: 'now', label: 'Shows it now', render: (e) => (e.current ? 'yes' : `no (endpoint ${e.status})`) },
  { key: 'from', label: 'Seen from', render: (e) => day(e.shownFrom) },
  { key: 'until', label: 'Seen until', render: (e) => day(e.shownUntil) },
  { key: 'problems', label: 'Problems', render: (e) => e.problems.join(', ') },
];

export function CertificateEndpoints({ certificateId }: { certificateId: number }) {
  const { data, error } = useApi<Page<CertificateEndpoint>>(`/api/v1/certificates/${certificateId}/endpoints`);
  const rows = data?.items ?? [];
  return (
    <section aria-labelledby="endpoints">
      <h2 id="endpoints">Seen at</h2>
      <ErrorNotice error={error} />
      {rows.length ? (
        <DataTable caption="Endpoints that have shown it" columns={columns} rows={rows} />
      ) : (
        <p className="hint">No source or deployment has seen it anywhere yet.</p>
      )}
    </section>
  );
}
