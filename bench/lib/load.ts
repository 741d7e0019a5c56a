// Drives HTTP load from a worker thread (load-worker.ts) and summarizes it: throughput over the measured window,
// latency percentiles, errors. Also measures the client itself against a trivial server, so a result can say
// that the client was not the bottleneck.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { type Summary, summarize } from './stats.ts';

export type ClientKind = 'http' | 'fetch';

export interface RequestSpec {
  method: string;
  /** `{n}` is replaced by a number unique to the request. */
  url: string;
  headers?: Record<string, string>;
  body?: string;
  expectStatus?: number;
}

export interface LoadSpec {
  client: ClientKind;
  /** Cycled through, one per request. */
  requests: RequestSpec[];
  concurrency: number;
  warmupMs?: number;
  durationMs?: number;
  maxRequests?: number;
  /** First value of `{n}` (keeps names unique across runs against one server). */
  firstNumber: number;
}

export interface LoadResult {
  latenciesMs: number[];
  errors: number;
  firstError?: string;
  windowMs: number;
  requestsSent: number;
  /** Event-loop utilization of the client thread over the measured window (0..1). */
  clientBusy: number;
}

export interface LoadSummary {
  perSecond: number;
  latency: Summary;
  errors: number;
  firstError?: string;
  requestsSent: number;
  clientBusy: number;
}

let numbers = 1;

// Workers do not inherit `--import tsx`; this boot script registers tsx in the worker, then loads the TS file.
const WORKER_BOOT = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(
  new URL('./load-worker.ts', import.meta.url).href,
)}); });`;

/** Runs one load in a fresh worker thread; `{n}` numbers never repeat within this process. */
export function runLoad(spec: Omit<LoadSpec, 'firstNumber'>): Promise<LoadSummary> {
  const firstNumber = numbers;
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_BOOT, { eval: true, workerData: { ...spec, firstNumber } satisfies LoadSpec });
    worker.once('message', (r: LoadResult) => {
      numbers += r.requestsSent + 1;
      void worker.terminate();
      resolve({
        perSecond: r.windowMs > 0 ? (r.latenciesMs.length / r.windowMs) * 1000 : Number.NaN,
        latency: summarize(r.latenciesMs),
        errors: r.errors,
        firstError: r.firstError,
        requestsSent: r.requestsSent,
        clientBusy: r.clientBusy,
      });
    });
    worker.once('error', reject);
  });
}

/** Throws when a load had failures, with the first failure's text. */
export function assertClean(what: string, s: LoadSummary): void {
  if (s.errors > 0 || s.latency.count === 0) {
    throw new Error(`${what}: ${s.errors} failed request(s), ${s.latency.count} ok; first failure: ${s.firstError}`);
  }
}

/** Requests per second each client reaches against a trivial keep-alive node:http server in this thread. */
export async function calibrateClients(
  concurrency: number,
  durationMs: number,
): Promise<Record<ClientKind, LoadSummary>> {
  const body = JSON.stringify({ ok: true });
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    const out = {} as Record<ClientKind, LoadSummary>;
    for (const client of ['http', 'fetch'] as const) {
      out[client] = await runLoad({
        client,
        requests: [{ method: 'GET', url }],
        concurrency,
        warmupMs: 500,
        durationMs,
      });
      assertClean(`calibration (${client})`, out[client]);
    }
    return out;
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}
