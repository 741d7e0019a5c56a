// The OCSP load client, a process of its own: `node --import tsx bench/lib/ocsp-client.ts spec.json` prints one
// JSON line (OcspLoadResult). A separate process rather than a worker thread because the peer, `openssl ocsp`,
// must run inside a private network namespace (it listens on all interfaces), and its client with it; Tarsier is
// measured with the very same process so the two differ only in the server. Closed loop: `concurrency` clients,
// each POSTing its next request when the answer is read; a fresh random nonce per request where the request has
// one. Every answer is checked (HTTP 200, responseStatus successful, nonce echoed); the first answers to the
// first `saveCount` requests are written to `saveDir` for `openssl ocsp -respin` to verify afterwards.
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { type Summary, summarize } from './stats.ts';

export interface OcspLoadSpec {
  url: string;
  /** Base64 DER requests, cycled; nonceOffset marks 16 bytes to refresh per request. */
  requests: Array<{ der: string; nonceOffset?: number }>;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** false: a new connection per request (`Connection: close`), as `openssl ocsp` serves anyway. */
  keepAlive: boolean;
  saveDir?: string;
  saveCount?: number;
  /** Processes (besides this one's process group) whose CPU does not count as "other processes". */
  excludePids?: number[];
}

export interface OcspLoadResult {
  perSecond: number;
  latency: Summary;
  errors: number;
  firstError?: string;
  /** The load client's event-loop utilization over the measured window (0..1). */
  clientBusy: number;
  /** CPU (cores) used over the window by processes outside this process group and excludePids. */
  others: number;
  bytesPerResponse: number;
}

type Answer = { status: number; body: Buffer };

function sender(url: string, keepAlive: boolean, concurrency: number) {
  const agent = new http.Agent({ keepAlive, maxSockets: concurrency });
  const headers = { 'content-type': 'application/ocsp-request' };
  return (body: Buffer): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': body.length } });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
}

/** Why an answer is wrong, or undefined: HTTP 200, OCSPResponse with responseStatus successful, nonce echoed. */
function problem(a: Answer, nonce: Buffer | undefined): string | undefined {
  if (a.status !== 200) return `HTTP ${a.status}: ${a.body.toString('latin1').slice(0, 200)}`;
  const b = a.body;
  const header = b[1]! < 0x80 ? 2 : 2 + (b[1]! & 0x7f);
  if (b[0] !== 0x30 || b[header] !== 0x0a || b[header + 1] !== 1 || b[header + 2] !== 0) {
    return `not a successful OCSPResponse: ${b.subarray(0, 16).toString('hex')}`;
  }
  if (nonce && b.indexOf(nonce) < 0) return 'the nonce was not echoed';
  return undefined;
}

function cpuSeconds(stat: string): { pgrp: number; seconds: number } {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pgrp: Number(f[2]), seconds: (Number(f[11]) + Number(f[12])) / 100 };
}

/** Busy CPU seconds of the whole machine and of "ours" (this process group and excludePids). Linux only. */
function cpuSnapshot(exclude: number[]): { all: number; ours: number } {
  if (!fs.existsSync('/proc/stat')) return { all: 0, ours: 0 };
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  const group = cpuSeconds(fs.readFileSync('/proc/self/stat', 'utf8')).pgrp;
  let ours = 0;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const p = cpuSeconds(fs.readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (p.pgrp === group || exclude.includes(Number(name))) ours += p.seconds;
    } catch {} // exited meanwhile
  }
  return { all: (user + nice + system + irq + softirq + steal) / 100, ours };
}

/** Retries the first request until the server answers (never opens an empty connection: openssl spins on one). */
async function waitUntilUp(send: (b: Buffer) => Promise<Answer>, first: Buffer): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await send(first);
      return;
    } catch (e) {
      if (i >= 100) throw new Error(`the responder did not answer within 10 s: ${e}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function runOcspLoad(spec: OcspLoadSpec): Promise<OcspLoadResult> {
  const send = sender(spec.url, spec.keepAlive, spec.concurrency);
  const templates = spec.requests.map((r) => ({ der: Buffer.from(r.der, 'base64'), nonceOffset: r.nonceOffset }));
  await waitUntilUp(send, templates[0]!.der);
  if (spec.saveDir) fs.mkdirSync(spec.saveDir, { recursive: true });
  const saved = new Set<number>();
  const start = performance.now();
  const measureFrom = start + spec.warmupMs;
  const deadline = measureFrom + spec.durationMs;
  const latencies: number[] = [];
  let counter = 0;
  let errors = 0;
  let bytes = 0;
  let firstError: string | undefined;

  async function client(): Promise<void> {
    for (;;) {
      const index = counter++ % templates.length;
      const t = templates[index]!;
      const body = t.nonceOffset === undefined ? t.der : Buffer.from(t.der);
      const nonce =
        t.nonceOffset === undefined ? undefined : randomFillSync(body, t.nonceOffset, 16).subarray(t.nonceOffset);
      const t0 = performance.now();
      if (t0 >= deadline) return;
      let wrong: string | undefined;
      let answer: Answer | undefined;
      try {
        answer = await send(body);
        wrong = problem(answer, nonce);
      } catch (e) {
        wrong = String(e);
      }
      const t1 = performance.now();
      if (answer && !wrong && spec.saveDir && index < (spec.saveCount ?? 0) && !saved.has(index)) {
        saved.add(index);
        fs.writeFileSync(path.join(spec.saveDir, `req-${index}.der`), body);
        fs.writeFileSync(path.join(spec.saveDir, `resp-${index}.der`), answer.body);
      }
      if (t1 < measureFrom || t1 > deadline) continue;
      if (wrong) {
        errors++;
        firstError ??= wrong;
        if (errors > 20 && errors > latencies.length) return;
      } else {
        latencies.push(t1 - t0);
        bytes += answer!.body.length;
      }
    }
  }

  let elu = performance.eventLoopUtilization();
  let cpu = cpuSnapshot(spec.excludePids ?? []);
  let windowStart = performance.now();
  const snap = setTimeout(() => {
    elu = performance.eventLoopUtilization();
    cpu = cpuSnapshot(spec.excludePids ?? []);
    windowStart = performance.now();
  }, spec.warmupMs);
  await Promise.all(Array.from({ length: spec.concurrency }, client));
  clearTimeout(snap);
  const clientBusy = performance.eventLoopUtilization(elu).utilization;
  const end = cpuSnapshot(spec.excludePids ?? []);
  const wall = (performance.now() - windowStart) / 1000;
  const others = wall > 0 ? Math.max(0, (end.all - cpu.all - (end.ours - cpu.ours)) / wall) : 0;
  return {
    perSecond: (latencies.length / spec.durationMs) * 1000,
    latency: summarize(latencies),
    errors,
    firstError,
    clientBusy,
    others,
    bytesPerResponse: latencies.length ? bytes / latencies.length : Number.NaN,
  };
}

if (process.argv[1] && import.meta.filename === path.resolve(process.argv[1])) {
  const spec = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as OcspLoadSpec;
  const result = await runOcspLoad(spec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
