// The issuance benchmark's verdicts and its section of docs/benchmarks.md: targets judged from the measured rows
// (bench/issuance.ts measures them), with the CPU per certificate that tells how many cores a rate needs.
import type { IssuanceOptions, RawRow, Row } from '../issuance.ts';
import type { ClientKind, LoadSummary } from './load.ts';
import { fmt, ms } from './stats.ts';

/** Other processes using more than this many cores make a run suspect (the machine has 2). */
export const BUSY_CORES = 0.3;

export const cores = (n: number) => `${n.toFixed(2)} cores`;

/** Milliseconds of CPU one certificate cost (issuer and load client together). */
export const cpuPerCert = (r: Row) => (r.result.perSecond > 0 ? (r.cores / r.result.perSecond) * 1000 : 0);

export interface Target {
  name: string;
  met: boolean;
  /** Other processes were busy during a measurement and the margin is too small to call. */
  inconclusive?: boolean;
  detail: string;
}

/** A verdict; a busy machine makes it inconclusive unless the result is off by more than a factor of three. */
function verdict(name: string, ratio: number, goal: number, busy: number, detail: string): Target {
  const met = ratio >= goal;
  const clear = ratio < goal / 3 || ratio > goal * 3;
  const inconclusive = busy > BUSY_CORES && !clear;
  const note = inconclusive
    ? `; other processes used ${cores(busy)} during a run: measure again on a quiet machine`
    : '';
  return { name, met, inconclusive, detail: detail + note };
}

export function judge(tarsier: Row[], cfssl: Row[], raw: RawRow[], floor: Row[]): Target[] {
  const targets: Target[] = [];
  for (const t of tarsier.filter((r) => r.keyType === 'ec-p256')) {
    const peer = cfssl.find((c) => c.keyType === 'ec-p256' && c.clients === t.clients);
    if (!peer) continue;
    const ratio = t.result.perSecond / peer.result.perSecond;
    const base = floor.find((f) => f.clients === t.clients);
    const need = (r: Row) => fmt((cpuPerCert(r) / 1000) * peer.result.perSecond);
    const context = base
      ? `; at that rate Tarsier's CPU per certificate needs ${need(t)} cores, the Node.js floor's ${need(base)} ` +
        `(the floor: ${fmt(base.result.perSecond)}/s, p50 ${ms(base.result.latency.p50)})`
      : '';
    targets.push(
      verdict(
        `EC P-256 issuance ≥ CFSSL newcert (${t.database}, ${t.clients} client${t.clients > 1 ? 's' : ''})`,
        ratio,
        1,
        Math.max(t.others, peer.others),
        `${fmt(t.result.perSecond)}/s vs ${fmt(peer.result.perSecond)}/s (${fmt(ratio * 100)}%)${context}`,
      ),
    );
  }
  for (const t of tarsier.filter((r) => r.keyType === 'rsa-2048')) {
    const base = raw.find((r) => r.keyType === 'rsa-2048' && r.mode === `async, concurrency ${t.clients}`);
    if (!base) continue;
    const ratio = t.result.perSecond / base.result.perSecond;
    targets.push(
      verdict(
        `RSA-2048 issuance ≥ 90% of raw key generation (${t.database}, ${t.clients} client${t.clients > 1 ? 's' : ''})`,
        ratio,
        0.9,
        Math.max(t.others, base.others),
        `${fmt(t.result.perSecond)}/s vs raw async×${t.clients} ${fmt(base.result.perSecond)}/s (${fmt(ratio * 100)}%)`,
      ),
    );
  }
  return targets;
}

export const label = (t: Target) => (t.inconclusive ? 'inconclusive' : t.met ? 'met' : '**not met**');

export function markdown(
  o: IssuanceOptions,
  client: ClientKind,
  calibration: Record<ClientKind, LoadSummary>,
  raw: RawRow[],
  rows: Row[],
  targets: Target[],
  notes: string[],
): string {
  const out: string[] = [];
  out.push(
    `Measured window: ${o.ecSeconds} s per EC run, ${o.rsaSeconds} s per RSA run, each after a ${o.warmupSeconds} s warm-up; ` +
      'closed loop (each client sends its next request when the answer is read). Tarsier runs in the benchmark ' +
      'process with logging off and its default settings (SQLite: WAL, synchronous=FULL, its per-commit WAL fsync ' +
      'run off the event loop before the answer is sent; PostgreSQL: pool of 10); issuances that reach their commit ' +
      'together share one transaction; every answer follows the durable commit of its certificate, key and audit event; ' +
      'the load client runs in a worker thread. The authorities (Tarsier and CFSSL alike) have EC P-256 keys. ' +
      '"Other processes" is the CPU, in cores, that everything except the benchmark (and CFSSL) used meanwhile: ' +
      'on a shared machine, a run with a high figure there measured less than the whole machine.',
    '',
    '### Load client',
    '',
    `Both clients against a trivial keep-alive node:http server in the benchmark process, 16 clients; the faster, ` +
      `**${client === 'http' ? 'node:http with a keep-alive Agent' : 'fetch'}**, drives the runs below. ` +
      '"Client busy" is the load thread\'s event-loop utilization: well below 100% means the client was not the bottleneck.',
    '',
    '| Client | req/s | p50 | p95 | client busy |',
    '| --- | ---: | ---: | ---: | ---: |',
  );
  for (const [name, s] of Object.entries(calibration)) {
    const label = name === 'http' ? 'node:http + keep-alive Agent' : 'fetch (built-in)';
    out.push(
      `| ${label} | ${fmt(s.perSecond)} | ${ms(s.latency.p50)} | ${ms(s.latency.p95)} | ${fmt(s.clientBusy * 100)}% |`,
    );
  }
  out.push(
    '',
    '### Raw node:crypto (key pair + one signature of a 300-byte blob, no ASN.1, no database, no HTTP)',
    '',
    '| Key type | Mode | per second | samples | other processes |',
    '| --- | --- | ---: | ---: | ---: |',
  );
  for (const r of raw) {
    out.push(`| ${r.keyType} | ${r.mode} | ${fmt(r.result.perSecond)} | ${r.result.count} | ${cores(r.others)} |`);
  }
  out.push(
    '',
    '### Issuance through HTTP',
    '',
    '| Issuer | Database | Key type | Clients | certs/s | p50 | p95 | client busy | CPU: issuer + client | CPU per cert | other processes |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const r of rows) {
    const s = r.result;
    out.push(
      `| ${r.issuer} | ${r.database} | ${r.keyType} | ${r.clients} | ${fmt(s.perSecond)} | ${ms(s.latency.p50)} | ` +
        `${ms(s.latency.p95)} | ${fmt(s.clientBusy * 100)}% | ${cores(r.cores)} | ${ms(cpuPerCert(r))} | ${cores(r.others)} |`,
    );
  }
  out.push(
    '',
    '"CPU: issuer + client" is the CPU of the benchmark process (Tarsier or the floor, with their thread pools, and ' +
      'the load client) or of CFSSL plus the load client, in cores over the run; "CPU per cert" divides it by the ' +
      'rate. The PostgreSQL server\'s own CPU is under "other processes". The machine has 2 cores: a rate needs ' +
      '(CPU per cert × rate) cores, whatever the threads or processes it is spread over.',
  );
  out.push('', '### Targets', '', '| Target | Result | Measured |', '| --- | --- | --- |');
  for (const t of targets) out.push(`| ${t.name} | ${label(t)} | ${t.detail} |`);
  if (notes.length) out.push('', ...notes.map((n) => `Note: ${n}`));
  return out.join('\n');
}
