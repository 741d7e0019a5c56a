// TLS discovery: how fast the TLS source scans 1,000 endpoints on 127.0.0.1 (one child process serving 1,000
// ports). Measured twice: the plugin alone (handshakes and chains, nothing stored), and whole runs through
// Tarsier (parse, checks, import deduplicated by fingerprint, endpoint and item rows) on each database, a first
// run (every endpoint new) and a second (every endpoint the same). Back-to-back runs leave ~1,000 client sockets
// in TIME_WAIT each; the ephemeral range (≈28,000 ports) allows a few dozen runs, so runs are few and counted.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { throughGuard } from '../src/modules/sources/outbound.ts';
import { tlsSource } from '../src/modules/sources/tls/index.ts';
import { createOutboundGuard, parseOutboundPolicy } from '../src/net/outbound.ts';
import type { TestDialect } from '../test/harness/databases.ts';
import { LOCALHOST_SAN, selfSignedCertificate, workdir } from '../test/harness/openssl.ts';
import { startTarsier } from '../test/harness/tarsier.ts';
import { fmt } from './lib/stats.ts';

export interface DiscoveryOptions {
  endpoints: number;
  concurrencies: number[];
  dialects: TestDialect[];
  log(line: string): void;
}

async function startFarm(
  certFile: string,
  keyFile: string,
  count: number,
): Promise<{ child: ChildProcess; ports: number[] }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/lib/tls-farm.ts', certFile, keyFile, String(count)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, ports: JSON.parse(line.toString()) as number[] };
}

const silent = { info() {}, warn() {}, error() {}, debug() {} };

/** The plugin alone: every handshake, every chain, nothing stored. Returns seconds and the failures. */
async function scanOnly(
  targets: string[],
  concurrency: number,
): Promise<{ seconds: number; failed: number; chains: number }> {
  let failed = 0;
  let chains = 0;
  const started = performance.now();
  await tlsSource.scan(
    { options: { targets, concurrency, timeoutMs: 10_000 }, secrets: {} },
    {
      log: silent,
      clock: () => new Date(),
      outbound: throughGuard(createOutboundGuard(parseOutboundPolicy('loopback'))),
      expect() {},
      signal: new AbortController().signal,
    },
    async (item) => {
      if ('material' in item) chains++;
      else failed++;
    },
  );
  return { seconds: (performance.now() - started) / 1000, failed, chains };
}

export async function runDiscoveryBench(o: DiscoveryOptions): Promise<{ markdown: string }> {
  const w = workdir();
  selfSignedCertificate(w, 'c', { extra: LOCALHOST_SAN });
  const farm = await startFarm(`${w.dir}/c.pem`, `${w.dir}/c.key`, o.endpoints);
  const targets = farm.ports.map((p) => `127.0.0.1:${p}`);
  const rows: string[] = [];
  const load = os.loadavg()[0]!;
  try {
    for (const c of o.concurrencies) {
      const r = await scanOnly(targets, c);
      o.log(
        `plugin only, concurrency ${c}: ${fmt(r.seconds)} s, ${fmt(targets.length / r.seconds)} endpoints/s, ${r.failed} failed`,
      );
      rows.push(
        `| plugin only (no database) | ${c} | – | ${fmt(r.seconds)} s | ${fmt(targets.length / r.seconds)} | ${r.failed} |`,
      );
    }
    for (const dialect of o.dialects) {
      const t = await startTarsier({ dialect });
      try {
        const c = o.concurrencies[o.concurrencies.length - 1]!;
        const s = await t.api('POST', '/api/v1/sources', {
          name: 'bench',
          plugin: 'tls',
          options: { targets, concurrency: c, timeoutMs: 10_000 },
        });
        for (const label of ['first run (all new)', 'second run (all the same)']) {
          const started = performance.now();
          const run = await t.api('POST', `/api/v1/sources/${s.json.id}/run`, { wait: true });
          const seconds = (performance.now() - started) / 1000;
          if (run.json.status !== 'finished') throw new Error(`bench run failed: ${run.text}`);
          if (run.json.itemsFailed > 0) {
            const bad = await t.api('GET', `/api/v1/sources/runs/${run.json.id}/items?status=error&limit=3`);
            for (const i of bad.json.items) o.log(`  failed: ${i.target}: ${i.message}`);
          }
          o.log(
            `${dialect} ${label}: ${fmt(seconds)} s, ${fmt(targets.length / seconds)} endpoints/s, ${run.json.itemsFailed} failed`,
          );
          rows.push(
            `| Tarsier run, ${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${label} | ${c} | ${run.json.certificatesNew} | ${fmt(seconds)} s | ${fmt(targets.length / seconds)} | ${run.json.itemsFailed} |`,
          );
        }
      } finally {
        await t.stop();
      }
    }
  } finally {
    farm.child.stdin!.end();
    await once(farm.child, 'exit');
    w.remove();
  }
  const markdown = [
    `${o.endpoints.toLocaleString('en-US')} TLS endpoints on 127.0.0.1 (one child process, one self-signed P-256 certificate, TLS 1.3), scanned with the \`tls\` source. "Tarsier run" is \`POST /api/v1/sources/{id}/run\` with \`wait\`: handshakes, chain parsing, problem checks, import (deduplicated by fingerprint) and one endpoint and one item row per endpoint.`,
    '',
    '| What | Concurrency | New certificates | Time | Endpoints/s | Failed |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Load average when the run started: ${fmt(load)} on ${os.cpus().length} cores (other work shares the machine; the rates scale down with it).`,
    '',
    'For comparison (NOTES.md, same machine): `nmap --script ssl-cert` ≈2.5 s for 1,000 endpoints (leaf certificates only); a bare Node `tls.connect` loop ≈1.3–1.55 s with chains.',
  ].join('\n');
  return { markdown };
}
