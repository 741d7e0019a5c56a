// Certificates expiring per day, stacked by authority, owner or key type: an SVG bar chart with a text summary
// for screen readers (the numbers are also in the legend).
const COLORS = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#6b7280'];

export interface Series {
  key: string;
  label: string;
  counts: number[];
}

export function ExpiryChart({ series, start, days }: { series: Series[]; start: string; days: number }) {
  const totals = Array.from({ length: days }, (_, i) => series.reduce((n, s) => n + (s.counts[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const sum = totals.reduce((a, b) => a + b, 0);
  const w = 900;
  const h = 200;
  const bar = w / days;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${w} ${h + 20}`} role="img" aria-label={`${sum} certificates expire in the next ${days} days`}>
        {totals.map((_, i) => {
          let y = h;
          const day = new Date(Date.parse(start) + i * 86_400_000).toISOString().slice(0, 10);
          return series.map((s, si) => {
            const n = s.counts[i] ?? 0;
            if (!n) return null;
            const bh = (n / max) * (h - 10);
            y -= bh;
            return (
              <rect
                key={`${day}-${s.key}`}
                x={i * bar + 1}
                y={y}
                width={Math.max(1, bar - 2)}
                height={bh}
                fill={COLORS[si % COLORS.length]}
              >
                <title>{`${day}: ${n} (${s.label})`}</title>
              </rect>
            );
          });
        })}
        <line x1="0" x2={w} y1={h} y2={h} stroke="#9ca3af" />
        <text x="0" y={h + 16} fontSize="12">
          today
        </text>
        <text x={w} y={h + 16} fontSize="12" textAnchor="end">
          +{days} days
        </text>
      </svg>
      <figcaption>
        <ul className="legend">
          {series.map((s, si) => (
            <li key={s.key}>
              <span className="swatch" style={{ background: COLORS[si % COLORS.length] }} aria-hidden="true" />
              {s.label}: {s.counts.reduce((a, b) => a + b, 0)}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
