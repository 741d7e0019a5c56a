// Issuance throughput through the HTTP API (real sockets, keep-alive, key generated server-side), on SQLite and
// PostgreSQL, at 1 and 16 clients; beside it the raw node:crypto rate and CFSSL's newcert, so that the targets
// (EC P-256 at least as fast as CFSSL; RSA-2048 at least 90% of raw key generation) can be judged honestly.
import type { TestDialect } from '../test/harness/databases.ts';
import { startTarsier } from '../test/harness/tarsier.ts';
import { ensureCfssl, startCfssl } from './lib/cfssl.ts';
import { assertClean, type ClientKind, calibrateClients, type LoadSummary, runLoad } from './lib/load.ts';
import { measureRaw, type RawKeyType, type RawResult } from './lib/raw-crypto.ts';
import { fmt, ms } from './lib/stats.ts';

export interface IssuanceOptions {
  ecSeconds: number;
  rsaSeconds: number;
  warmupSeconds: number;
  dialects: TestDialect[];
  concurrencies: number[];
  /** Forces a client; otherwise the faster one in the calibration is used. */
  client?: ClientKind;
  log(line: string): void;
}

interface Row {
  issuer: string;
  database: string;
  keyType: RawKeyType;
  clients: number;
  result: LoadSummary;
}

interface RawRow {
  keyType: RawKeyType;
  mode: string;
  result: RawResult;
}

const KEY_TYPES: RawKeyType[] = ['ec-p256', 'rsa-2048'];

const CFSSL_KEYS: Record<RawKeyType, { algo: string; size: number }> = {
  'ec-p256': { algo: 'ecdsa', size: 256 },
  'rsa-2048': { algo: 'rsa', size: 2048 },
};

function line(r: Row): string {
  const s = r.result;
  return `${r.issuer} ${r.database} ${r.keyType} c=${r.clients}: ${fmt(s.perSecond)}/s p50 ${ms(s.latency.p50)} p95 ${ms(s.latency.p95)}`;
}

async function runRaw(o: IssuanceOptions): Promise<RawRow[]> {
  const rows: RawRow[] = [];
  for (const keyType of KEY_TYPES) {
    const seconds = keyType === 'ec-p256' ? Math.min(o.ecSeconds, 5) : o.rsaSeconds;
    const modes: Array<['sync' | 'async', number]> = [
      ['sync', 1],
      ['async', 1],
      ['async', 16],
    ];
    for (const [mode, conc] of modes) {
      const result = await measureRaw(keyType, mode, conc, seconds * 1000);
      const label = mode === 'sync' ? 'sync (1 thread)' : `async, concurrency ${conc}`;
      rows.push({ keyType, mode: label, result });
      o.log(`raw node:crypto ${keyType} ${label}: ${fmt(result.perSecond)}/s`);
    }
  }
  return rows;
}

async function measureMatrix(
  o: IssuanceOptions,
  client: ClientKind,
  issuer: string,
  database: string,
  request: (keyType: RawKeyType) => { url: string; body: string; headers: Record<string, string>; status: number },
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const keyType of KEY_TYPES) {
    const seconds = keyType === 'ec-p256' ? o.ecSeconds : o.rsaSeconds;
    for (const clients of o.concurrencies) {
      const r = request(keyType);
      const result = await runLoad({
        client,
        concurrency: clients,
        warmupMs: o.warmupSeconds * 1000,
        durationMs: seconds * 1000,
        requests: [{ method: 'POST', url: r.url, headers: r.headers, body: r.body, expectStatus: r.status }],
      });
      assertClean(`${issuer} ${database} ${keyType} c=${clients}`, result);
      const row = { issuer, database, keyType, clients, result };
      o.log(line(row));
      rows.push(row);
    }
  }
  return rows;
}

async function runTarsier(o: IssuanceOptions, client: ClientKind, dialect: TestDialect): Promise<Row[]> {
  const t = await startTarsier({ dialect });
  try {
    const ca = await t.api('POST', '/api/v1/authorities', {
      name: 'Bench Root',
      type: 'root',
      subject: { commonName: 'Tarsier Bench Root' },
      keyType: 'ec-p256',
    });
    if (ca.status !== 201) throw new Error(`creating the bench authority failed: ${ca.text}`);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${t.token}` };
    return await measureMatrix(o, client, 'Tarsier', dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL', (keyType) => ({
      url: `${t.url}/api/v1/certificates`,
      headers,
      body: JSON.stringify({ authorityId: ca.json.id, commonName: 'svc-{n}.bench.example.com', keyType }),
      status: 201,
    }));
  } finally {
    await t.stop();
  }
}

async function runCfssl(o: IssuanceOptions, client: ClientKind): Promise<{ rows: Row[]; note?: string }> {
  const missing = ensureCfssl(o.log);
  if (missing) {
    o.log(`CFSSL skipped: ${missing}`);
    return { rows: [], note: `CFSSL was not measured: ${missing}` };
  }
  const cf = await startCfssl();
  try {
    const rows = await measureMatrix(o, client, `CFSSL ${cf.version}`, 'none (stores nothing)', (keyType) => ({
      url: `${cf.url}/api/v1/cfssl/newcert`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        request: { CN: 'svc-{n}.bench.example.com', hosts: ['svc-{n}.bench.example.com'], key: CFSSL_KEYS[keyType] },
      }),
      status: 200,
    }));
    return { rows };
  } finally {
    await cf.stop();
  }
}

export interface Target {
  name: string;
  met: boolean;
  detail: string;
}

function judge(tarsier: Row[], cfssl: Row[], raw: RawRow[]): Target[] {
  const targets: Target[] = [];
  for (const t of tarsier.filter((r) => r.keyType === 'ec-p256')) {
    const peer = cfssl.find((c) => c.keyType === 'ec-p256' && c.clients === t.clients);
    if (!peer) continue;
    const ratio = t.result.perSecond / peer.result.perSecond;
    targets.push({
      name: `EC P-256 issuance ≥ CFSSL newcert (${t.database}, ${t.clients} client${t.clients > 1 ? 's' : ''})`,
      met: ratio >= 1,
      detail: `${fmt(t.result.perSecond)}/s vs ${fmt(peer.result.perSecond)}/s (${fmt(ratio * 100)}%)`,
    });
  }
  for (const t of tarsier.filter((r) => r.keyType === 'rsa-2048')) {
    const base = raw.find((r) => r.keyType === 'rsa-2048' && r.mode === `async, concurrency ${t.clients}`);
    if (!base) continue;
    const ratio = t.result.perSecond / base.result.perSecond;
    targets.push({
      name: `RSA-2048 issuance ≥ 90% of raw key generation (${t.database}, ${t.clients} client${t.clients > 1 ? 's' : ''})`,
      met: ratio >= 0.9,
      detail: `${fmt(t.result.perSecond)}/s vs raw async×${t.clients} ${fmt(base.result.perSecond)}/s (${fmt(ratio * 100)}%)`,
    });
  }
  return targets;
}

function markdown(
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
      'process with logging off and its default settings (SQLite: WAL, synchronous=FULL; PostgreSQL: pool of 10); ' +
      'the load client runs in a worker thread. The authorities (Tarsier and CFSSL alike) have EC P-256 keys.',
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
    '| Key type | Mode | per second | samples |',
    '| --- | --- | ---: | ---: |',
  );
  for (const r of raw) out.push(`| ${r.keyType} | ${r.mode} | ${fmt(r.result.perSecond)} | ${r.result.count} |`);
  out.push(
    '',
    '### Issuance through HTTP',
    '',
    '| Issuer | Database | Key type | Clients | certs/s | p50 | p95 | client busy |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const r of rows) {
    const s = r.result;
    out.push(
      `| ${r.issuer} | ${r.database} | ${r.keyType} | ${r.clients} | ${fmt(s.perSecond)} | ${ms(s.latency.p50)} | ` +
        `${ms(s.latency.p95)} | ${fmt(s.clientBusy * 100)}% |`,
    );
  }
  out.push('', '### Targets', '', '| Target | Result | Measured |', '| --- | --- | --- |');
  for (const t of targets) out.push(`| ${t.name} | ${t.met ? 'met' : '**not met**'} | ${t.detail} |`);
  if (notes.length) out.push('', ...notes.map((n) => `Note: ${n}`));
  return out.join('\n');
}

/** Runs the whole issuance benchmark; returns the markdown section and the targets. */
export async function runIssuanceBench(o: IssuanceOptions): Promise<{ markdown: string; targets: Target[] }> {
  o.log('calibrating the load client ...');
  const calibration = await calibrateClients(16, 3000);
  const client: ClientKind = o.client ?? (calibration.http.perSecond >= calibration.fetch.perSecond ? 'http' : 'fetch');
  for (const [k, s] of Object.entries(calibration)) o.log(`client ${k}: ${fmt(s.perSecond)} req/s at 16 clients`);
  const raw = await runRaw(o);
  const rows: Row[] = [];
  for (const dialect of o.dialects) rows.push(...(await runTarsier(o, client, dialect)));
  const cf = await runCfssl(o, client);
  rows.push(...cf.rows);
  const tarsierRows = rows.filter((r) => r.issuer === 'Tarsier');
  const targets = judge(tarsierRows, cf.rows, raw);
  const notes = cf.note ? [cf.note] : [];
  return { markdown: markdown(o, client, calibration, raw, rows, targets, notes), targets };
}
