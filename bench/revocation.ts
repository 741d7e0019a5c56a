// Revocation at scale: OCSP answers per second with 100,000 issued certificates, Tarsier side by side with
// `openssl ocsp` answering from an index.txt of the same certificates (in a private network namespace, see
// lib/openssl-peer.ts), and CRL generation time and size at 100,000 and 1,000,000 revoked entries beside
// `openssl ca -gencrl`. Every answer is checked, a sample of each run and every CRL are verified by openssl.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestDialect } from '../test/harness/databases.ts';
import { type RunningTarsier, startTarsier } from '../test/harness/tarsier.ts';
import { type CrlResult, type CrlRun, runCrlBench } from './lib/crl-bench.ts';
import {
  analyze,
  lookupPlan,
  measure,
  type OcspRun,
  type OcspSetup,
  type OcspTiming,
  prepareOcsp,
  setSigner,
} from './lib/ocsp-bench.ts';
import { fmt, ms } from './lib/stats.ts';

export interface RevocationOptions {
  /** Measured seconds and warm-up seconds per OCSP run. */
  seconds: number;
  warmupSeconds: number;
  /** Issued certificates of the OCSP authority. */
  certificates: number;
  /** Revoked entries per CRL measurement, loaded cumulatively. */
  crlRows: number[];
  /** The first runs everything; further dialects run only Tarsier's OCSP with the CA signer. */
  dialects: TestDialect[];
  log(line: string): void;
}

const DB_NAME: Record<TestDialect, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

interface TarsierPlan {
  stats: string;
  signers: Array<'ca' | 'delegated'>;
  /** Adds the run with a new connection per request (as openssl ocsp serves). */
  oneConnectionRun: boolean;
}

async function tarsierOcsp(t: RunningTarsier, s: OcspSetup, o: RevocationOptions, timing: OcspTiming, p: TarsierPlan) {
  const runs: OcspRun[] = [];
  const base = {
    responder: 'Tarsier',
    stats: p.stats,
    database: DB_NAME[t.dialect],
    url: `${t.url}/ocsp/${s.authorityId}`,
  };
  for (const signer of p.signers) {
    await setSigner(t, s.authorityId, signer);
    for (const nonce of [true, false]) {
      for (const clients of [1, 16]) {
        const plan = {
          ...base,
          signer: signer === 'ca' ? 'CA' : 'delegated',
          nonce,
          keepAlive: true,
          clients,
        } as const;
        runs.push(await measure(s, plan, timing, o.log));
      }
    }
  }
  if (p.oneConnectionRun) {
    await setSigner(t, s.authorityId, 'ca');
    const plan = { ...base, signer: 'CA', nonce: true, keepAlive: false, clients: 16 } as const;
    runs.push(await measure(s, plan, timing, o.log));
  }
  return runs;
}

async function opensslOcsp(s: OcspSetup, o: RevocationOptions, timing: OcspTiming): Promise<OcspRun[]> {
  const runs: OcspRun[] = [];
  for (const multi of [undefined, 2]) {
    for (const clients of [1, 16]) {
      const peer = { dir: s.dir, index: s.index, caPem: s.caPem, caKey: s.caKey, multi };
      const plan = {
        responder: multi ? `openssl ocsp -multi ${multi}` : 'openssl ocsp',
        stats: '',
        database: 'index.txt',
        signer: 'CA',
        nonce: true,
        keepAlive: false,
        clients,
        peer,
      } as const;
      runs.push(await measure(s, plan, timing, o.log));
    }
  }
  return runs;
}

interface DialectResult {
  database: string;
  setup: OcspSetup;
  crl?: CrlResult;
  /** The status lookup's plan without and with statistics. */
  plans: Array<{ stats: string; plan: string }>;
  analyzeSeconds: number;
}

function ocspTable(runs: OcspRun[]): string[] {
  const out = [
    '| Responder | Data | Planner statistics | Signer | Nonce | Connections | Clients | answers/s | p50 | p95 | bytes/answer | client busy | other processes | openssl-verified |',
    '| --- | --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of runs) {
    const s = r.result;
    out.push(
      `| ${r.responder} | ${r.database} | ${r.stats === 'none' ? 'none (as Tarsier runs)' : r.stats || 'n/a'} | ${r.signer} | ${r.nonce ? 'fresh per request' : 'none (cacheable)'} | ` +
        `${r.keepAlive ? 'keep-alive' : 'one per request'} | ${r.clients} | **${fmt(s.perSecond)}** | ${ms(s.latency.p50)} | ` +
        `${ms(s.latency.p95)} | ${fmt(s.bytesPerResponse)} | ${fmt(s.clientBusy * 100)}% | ${s.others.toFixed(2)} cores | ` +
        `${r.verified.ok}/${r.verified.checked} |`,
    );
  }
  return out;
}

const HOW: Record<CrlRun['how'], string> = {
  tarsier: 'Tarsier `revocation.regenerate` (database paging + encode + sign + store)',
  encoder: 'Tarsier `buildCrl` alone (entries in memory)',
  openssl: '`openssl ca -gencrl` (index.txt)',
};

function crlTable(database: string, crl: CrlResult): string[] {
  const out = [
    `Database: ${database}. Revoked entries loaded in 10,000-row transactions (synchronous=NORMAL while loading): ` +
      crl.loads.map((l) => `${l.entries.toLocaleString('en-US')} after ${fmt(l.seconds)} s more`).join(', ') +
      ". Peak RSS: the Node process running Tarsier (its RSS before the build in brackets), or openssl's own.",
    '',
    '| Entries | Built by | Time | Size | Peak RSS | openssl crl -verify |',
    '| ---: | --- | ---: | ---: | ---: | --- |',
  ];
  for (const r of crl.runs) {
    const rss =
      r.peakRssMiB === undefined
        ? 'n/a'
        : `${fmt(r.peakRssMiB)} MiB${r.rssBeforeMiB === undefined ? '' : ` (${fmt(r.rssBeforeMiB)})`}`;
    out.push(
      `| ${r.entries.toLocaleString('en-US')} | ${HOW[r.how]} | **${fmt(r.seconds)} s** | ${fmt(r.bytes / 1e6)} MB | ` +
        `${rss} | ${r.verified ?? (r.how === 'openssl' ? "not checked (openssl's own)" : 'not checked (same encoder as above)')} |`,
    );
  }
  if (crl.served?.error) {
    out.push(
      '',
      `**Serving the stored ${crl.served.entries.toLocaleString('en-US')}-entry CRL over \`GET /crl/<id>.crl\` failed:** ${crl.served.error}.`,
    );
  } else if (crl.served) {
    out.push(
      '',
      `Serving the stored ${crl.served.entries.toLocaleString('en-US')}-entry CRL once over \`GET /crl/<id>.crl\` ` +
        `(${fmt(crl.served.bytes / 1e6)} MB, byte-identical to the regenerated one) took ${ms(crl.served.seconds * 1000)}.`,
    );
  }
  return out;
}

function markdown(o: RevocationOptions, results: DialectResult[], runs: OcspRun[]): string {
  const first = results[0]!.setup;
  const out = [
    `OCSP: an EC P-256 root authority with ${first.certificates.toLocaleString('en-US')} issued certificates ` +
      `(${o.certificates.toLocaleString('en-US')} bulk-loaded into the certificates table, a tenth of them revoked, ` +
      'plus 3 issued and 1 revoked through the API). Requests: 1,003 different serials spread over them (about a ' +
      'tenth revoked), one SHA-1 CertID each, POSTed as application/ocsp-request; with a fresh random nonce per ' +
      'request (Tarsier signs every answer) or without (Tarsier may answer from its 60 s cache, which the warm-up ' +
      `fills). Each run: ${o.warmupSeconds} s warm-up, ${o.seconds} s measured, closed loop. Tarsier runs in the ` +
      'benchmark process (logging off, SQLite synchronous=FULL as by default); the load client is a separate Node ' +
      'process (bench/lib/ocsp-client.ts), the same for both responders. `openssl ocsp -index index.txt -rsigner ' +
      'ca.pem -rkey ca.key -CA ca.pem -nmin 60 -resp_no_certs` answers from an index.txt written from the same ' +
      'database rows and signs with the same CA key; it runs with its client inside a private loopback-only network ' +
      'namespace (`unshare -rn`). It speaks HTTP/1.0 and closes every connection, so its rows are one connection ' +
      'per request, as is the Tarsier row marked so. Every answer was checked (HTTP 200, successful, nonce echoed); ' +
      '"openssl-verified" counts sampled answers that `openssl ocsp -respin -CAfile ca.pem -issuer ca.pem` verified ' +
      'with the status the data says (good or revoked). "Other processes": CPU (cores) used meanwhile by everything ' +
      'except the benchmark, the responder and its client.',
    '',
    `Request encoder check: Tarsier's request encoder (src/crypto/ocsp-client.ts) for a serial is ${
      first.encoderMatchesOpenssl ? 'byte-identical to' : '**different from**'
    } \`openssl ocsp -reqout -no_nonce\`'s. Loading ${o.certificates.toLocaleString('en-US')} rows: ` +
      results.map((r) => `${fmt(r.setup.loadSeconds)} s (${r.database})`).join(', ') +
      '.',
    '',
    `### OCSP answers per second (${first.certificates.toLocaleString('en-US')} certificates)`,
    '',
    ...ocspTable(runs),
    '',
    'The status lookup (revocation/store.ts `findStatus`: `WHERE serial = ? AND authority_id = ?`), as each ' +
      'database plans it:',
    '',
    ...results.flatMap((r) =>
      r.plans.map(
        (p) =>
          `- ${r.database}, ${p.stats === 'none' ? 'without statistics (as Tarsier runs)' : `after \`ANALYZE\` (${fmt(r.analyzeSeconds)} s)`}: \`${p.plan}\``,
      ),
    ),
    '',
    '### CRL generation',
  ];
  for (const r of results) if (r.crl) out.push('', ...crlTable(r.database, r.crl));
  return out.join('\n');
}

/** Runs the revocation benchmark; returns its markdown section. */
export async function runRevocationBench(o: RevocationOptions): Promise<{ markdown: string }> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-bench-revocation-'));
  const timing = { warmupMs: o.warmupSeconds * 1000, durationMs: o.seconds * 1000 };
  const results: DialectResult[] = [];
  const runs: OcspRun[] = [];
  try {
    for (const [i, dialect] of o.dialects.entries()) {
      const full = i === 0;
      const dir = path.join(base, dialect);
      fs.mkdirSync(dir);
      const t = await startTarsier({ dialect });
      try {
        o.log(`${DB_NAME[dialect]}: loading ${o.certificates.toLocaleString('en-US')} certificates for OCSP ...`);
        const setup = await prepareOcsp(t, o.certificates, dir);
        o.log(`  loaded in ${fmt(setup.loadSeconds)} s; encoder matches openssl: ${setup.encoderMatchesOpenssl}`);
        const plans: DialectResult['plans'] = [];
        // As Tarsier runs today: SQLite never gathers statistics; PostgreSQL's autovacuum will, in its own time.
        plans.push({ stats: 'none', plan: await lookupPlan(t, setup) });
        o.log(`  status lookup plan without statistics: ${plans[0]!.plan}`);
        runs.push(
          ...(await tarsierOcsp(t, setup, o, timing, { stats: 'none', signers: ['ca'], oneConnectionRun: false })),
        );
        if (full) runs.push(...(await opensslOcsp(setup, o, timing)));
        const crl = full && o.crlRows.length ? await runCrlBench(t, o.crlRows, dir, o.log) : undefined;
        const analyzeSeconds = await analyze(t);
        plans.push({ stats: 'ANALYZE', plan: await lookupPlan(t, setup) });
        o.log(`  ANALYZE took ${fmt(analyzeSeconds)} s; status lookup plan now: ${plans[1]!.plan}`);
        const signers: TarsierPlan['signers'] = full ? ['ca', 'delegated'] : ['ca'];
        runs.push(...(await tarsierOcsp(t, setup, o, timing, { stats: 'ANALYZE', signers, oneConnectionRun: full })));
        results.push({ database: DB_NAME[dialect], setup, crl, plans, analyzeSeconds });
      } finally {
        await t.stop();
      }
    }
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
  return { markdown: markdown(o, results, runs) };
}
