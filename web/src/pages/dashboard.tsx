// The dashboard: counts by status (each a link to the filtered inventory) and the next 90 days of expiries,
// split by authority, owner or key type (GET /api/v1/certificates/stats); and the problems sources found at the
// endpoints still in use (GET /api/v1/endpoints/problems).
import { useState } from 'react';
import { ExpiryChart } from '../components/expiry-chart.tsx';
import { ErrorNotice, SelectField } from '../components/form.tsx';
import { useSession } from '../lib/session.tsx';
import type { Authority, Page, CertificateStats as Stats } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';

const BY = [
  { value: 'authority', label: 'Authority' },
  { value: 'owner', label: 'Owner' },
  { value: 'keyType', label: 'Key type' },
];

function Problems() {
  const { data, error } = useApi<{ endpoints: number; byProblem: Array<{ problem: string; endpoints: number }> }>(
    '/api/v1/endpoints/problems',
  );
  return (
    <section aria-labelledby="problems">
      <h2 id="problems">Problems found by sources</h2>
      <ErrorNotice error={error} />
      {data && (
        <p>
          <a href="#/endpoints">
            {data.endpoints} {data.endpoints === 1 ? 'endpoint in use shows' : 'endpoints in use show'} a problem
          </a>
        </p>
      )}
      <ul className="cards" aria-label="Endpoints by problem">
        {data?.byProblem.map((p) => (
          <li key={p.problem} className="card">
            <span className="count">{p.endpoints}</span> {p.problem}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function Dashboard() {
  const { can } = useSession();
  const [by, setBy] = useState('authority');
  const { data, error } = useApi<Stats>(`/api/v1/certificates/stats?days=90&by=${by}`);
  const authorities = useApi<Page<Authority>>('/api/v1/authorities');
  const label = (key: string) => {
    if (key === '(other)') return 'others';
    if (!key) return by === 'authority' ? 'external or imported' : 'none';
    if (by !== 'authority') return key;
    return authorities.data?.items.find((a) => String(a.id) === key)?.name ?? `authority ${key}`;
  };
  const cards = data
    ? [
        { label: 'All', n: data.total, href: '#/certificates' },
        { label: 'Valid', n: data.byStatus.valid, href: '#/certificates?status=valid' },
        { label: 'Expired', n: data.byStatus.expired, href: '#/certificates?status=expired' },
        { label: 'Revoked', n: data.byStatus.revoked, href: '#/certificates?status=revoked' },
        { label: 'Not yet valid', n: data.byStatus.notYetValid, href: '#/certificates?status=not-yet-valid' },
      ]
    : [];
  return (
    <>
      <h1>Dashboard</h1>
      <ErrorNotice error={error} />
      <ul className="cards" aria-label="Certificates by status">
        {cards.map((c) => (
          <li key={c.label}>
            <a href={c.href}>
              <span className="count">{c.n}</span> {c.label}
            </a>
          </li>
        ))}
      </ul>
      <section aria-labelledby="expiring">
        <h2 id="expiring">Expiring in the next 90 days</h2>
        <SelectField label="Split by" value={by} onChange={setBy} options={BY} />
        {data && (
          <ExpiryChart
            days={data.expiring.days}
            start={data.expiring.start}
            series={data.expiring.series.map((s) => ({ ...s, label: label(s.key) }))}
          />
        )}
      </section>
      {can('endpoint:read') && <Problems />}
    </>
  );
}
