// `npm run bench`: runs the benchmarks, prints a summary and regenerates docs/benchmarks.md. Each benchmark owns
// a marked section of that file; a run of one benchmark (BENCH_ONLY) replaces only its section, and text outside
// the markers (hand-written analysis) is kept.
//
// Knobs (environment):
//   BENCH_ONLY=issuance|inventory|revocation|discovery   run one benchmark
//   BENCH_SECONDS=N                    measured seconds per EC issuance run (default 10; RSA runs 1.5×) and per
//                                      OCSP run (default 5)
//   BENCH_WARMUP_SECONDS=N             warm-up before each issuance run (default 2) and OCSP run (default 1)
//   BENCH_DIALECTS=sqlite,postgres     databases to run on
//   BENCH_INVENTORY_ROWS=N             certificates to load (default 1000000)
//   BENCH_QUERY_REPEATS=N              timed requests per inventory query (default 200)
//   BENCH_QUERY_SECONDS=N              cap on one inventory query's measurement (default 30)
//   BENCH_CLIENT=http|fetch            force the load client (default: the faster in the calibration)
//   BENCH_OCSP_CERTIFICATES=N          issued certificates behind the OCSP responders (default 100000)
//   BENCH_CRL_ROWS=N,M                 revoked entries per CRL measurement, loaded cumulatively (default
//                                      100000,1000000)
//   BENCH_DISCOVERY_ENDPOINTS=N        TLS endpoints the discovery benchmark scans (default 1000)
//   BENCH_KEEP=1                       keep the inventory databases (printed) to study their plans by hand
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import type { TestDialect } from '../test/harness/databases.ts';
import { runDiscoveryBench } from './discovery.ts';
import { runInventoryBench } from './inventory.ts';
import { runIssuanceBench } from './issuance.ts';
import type { ClientKind } from './lib/load.ts';
import { type MachineInfo, machineInfo } from './lib/machine.ts';
import { envNumber, fmt } from './lib/stats.ts';
import { runRevocationBench } from './revocation.ts';

const DOC = path.join(import.meta.dirname, '..', 'docs', 'benchmarks.md');
const log = (line: string) => process.stdout.write(`${line}\n`);

interface Target {
  name: string;
  met: boolean;
  inconclusive?: boolean;
  detail: string;
}

function options() {
  const only = process.env.BENCH_ONLY ?? '';
  const benches = ['issuance', 'inventory', 'revocation', 'discovery'];
  if (only && !benches.includes(only)) throw new Error(`BENCH_ONLY must be one of ${benches.join(', ')}`);
  const dialects = (process.env.BENCH_DIALECTS ?? 'sqlite,postgres')
    .split(',')
    .map((d) => d.trim())
    .filter((d): d is TestDialect => d === 'sqlite' || d === 'postgres');
  const client = process.env.BENCH_CLIENT as ClientKind | undefined;
  if (client && client !== 'http' && client !== 'fetch') throw new Error('BENCH_CLIENT must be http or fetch');
  const seconds = envNumber('BENCH_SECONDS', 10);
  return {
    only,
    dialects,
    client,
    ecSeconds: seconds,
    rsaSeconds: Math.round(seconds * 1.5),
    warmupSeconds: envNumber('BENCH_WARMUP_SECONDS', 2),
    rows: Math.round(envNumber('BENCH_INVENTORY_ROWS', 1_000_000)),
    repeats: Math.round(envNumber('BENCH_QUERY_REPEATS', 200)),
    querySeconds: envNumber('BENCH_QUERY_SECONDS', 30),
    keep: process.env.BENCH_KEEP === '1',
    ocspSeconds: envNumber('BENCH_SECONDS', 5),
    ocspWarmupSeconds: envNumber('BENCH_WARMUP_SECONDS', 1),
    ocspCertificates: Math.round(envNumber('BENCH_OCSP_CERTIFICATES', 100_000)),
    crlRows: (process.env.BENCH_CRL_ROWS ?? '100000,1000000').split(',').map((v) => {
      const n = Number(v.trim());
      if (!Number.isInteger(n) || n <= 0) throw new Error(`BENCH_CRL_ROWS: '${v}' is not a positive whole number`);
      return n;
    }),
  };
}

function command(): string {
  const knobs = Object.entries(process.env)
    .filter(([k]) => k.startsWith('BENCH_'))
    .map(([k, v]) => `${k}=${v}`)
    .sort();
  return [...knobs, 'npm run bench'].join(' ');
}

function machineSection(m: MachineInfo): string {
  return [
    '| | |',
    '| --- | --- |',
    `| CPU | ${m.cpus} × ${m.cpuModel} |`,
    `| Memory | ${m.memoryGiB} GiB |`,
    `| OS | ${m.os} |`,
    `| Node.js | ${m.node} |`,
    `| OpenSSL | ${m.openssl} |`,
    `| SQLite | ${m.sqlite} |`,
    `| PostgreSQL | ${m.postgres} (127.0.0.1, Debian defaults) |`,
  ].join('\n');
}

/** Replaces (or appends) the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`. */
function replaceSection(doc: string, name: string, body: string): string {
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const block = `${open}\n${body.trim()}\n${close}`;
  const start = doc.indexOf(open);
  const end = doc.indexOf(close);
  if (start >= 0 && end > start) return doc.slice(0, start) + block + doc.slice(end + close.length);
  return `${doc.trimEnd()}\n\n${block}\n`;
}

const HEADER = `# Benchmarks

Generated by \`npm run bench\` (bench/run.ts); each section below says when and how it was measured. Text outside
the \`<!-- bench:… -->\` markers is written by hand and kept when the benchmarks are run again. Knobs: see the
header of bench/run.ts (e.g. \`BENCH_ONLY=issuance\`, \`BENCH_INVENTORY_ROWS=100000\`, \`BENCH_SECONDS=3\` for a short
run).
`;

function stamp(): string {
  return `Measured ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} with \`${command()}\`.`;
}

async function main(): Promise<void> {
  const o = options();
  const started = performance.now();
  let doc = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : HEADER;
  const pgUrl = process.env.TARSIER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  doc = replaceSection(doc, 'machine', `## Machine\n\n${stamp()}\n\n${machineSection(await machineInfo(pgUrl))}`);
  const targets: Target[] = [];

  if (!o.only || o.only === 'issuance') {
    log('== issuance');
    const r = await runIssuanceBench({
      ecSeconds: o.ecSeconds,
      rsaSeconds: o.rsaSeconds,
      warmupSeconds: o.warmupSeconds,
      dialects: o.dialects,
      concurrencies: [1, 16],
      client: o.client,
      log,
    });
    targets.push(...r.targets);
    doc = replaceSection(doc, 'issuance', `## Issuance\n\n${stamp()}\n\n${r.markdown}`);
    fs.mkdirSync(path.dirname(DOC), { recursive: true });
    fs.writeFileSync(DOC, doc);
  }

  if (!o.only || o.only === 'inventory') {
    log('== inventory');
    const r = await runInventoryBench({
      rows: o.rows,
      dialects: o.dialects,
      repeats: o.repeats,
      querySeconds: o.querySeconds,
      targetP95Ms: 50,
      client: o.client ?? 'http',
      keep: o.keep,
      log,
    });
    targets.push(...r.targets);
    doc = replaceSection(
      doc,
      'inventory',
      `## Inventory at ${o.rows.toLocaleString('en-US')} certificates\n\n${stamp()}\n\n${r.markdown}`,
    );
    fs.mkdirSync(path.dirname(DOC), { recursive: true });
    fs.writeFileSync(DOC, doc);
  }

  if (!o.only || o.only === 'revocation') {
    log('== revocation');
    const r = await runRevocationBench({
      seconds: o.ocspSeconds,
      warmupSeconds: o.ocspWarmupSeconds,
      certificates: o.ocspCertificates,
      crlRows: o.crlRows,
      dialects: o.dialects,
      log,
    });
    doc = replaceSection(doc, 'revocation', `## Revocation: OCSP and CRL\n\n${stamp()}\n\n${r.markdown}`);
    fs.mkdirSync(path.dirname(DOC), { recursive: true });
    fs.writeFileSync(DOC, doc);
  }

  if (!o.only || o.only === 'discovery') {
    log('== discovery');
    const r = await runDiscoveryBench({
      endpoints: Math.round(envNumber('BENCH_DISCOVERY_ENDPOINTS', 1000)),
      concurrencies: [50, 200],
      dialects: o.dialects,
      log,
    });
    doc = replaceSection(doc, 'discovery', `## TLS discovery\n\n${stamp()}\n\n${r.markdown}`);
    fs.mkdirSync(path.dirname(DOC), { recursive: true });
    fs.writeFileSync(DOC, doc);
  }

  log('');
  log(`== summary (${fmt((performance.now() - started) / 1000)} s; written to docs/benchmarks.md)`);
  for (const t of targets) {
    log(`${t.inconclusive ? 'UNSURE ' : t.met ? 'MET    ' : 'NOT MET'}  ${t.name}: ${t.detail}`);
  }
}

await main();
// A kept inventory server still listens; nothing else is left running.
if (options().keep) process.exit(0);
