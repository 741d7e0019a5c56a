// The HTTP load client, run in a worker thread so that its event loop is not the server's (the server under
// test runs in the main thread). Closed loop: `concurrency` clients, each sending its next request when the
// previous answer has been read. Either timed (warm-up, then a measured window) or counted (N requests).
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import type { LoadResult, LoadSpec, RequestSpec } from './load.ts';

const spec = workerData as LoadSpec;

/** `{n}` in a URL or body becomes a number unique to the request within this run. */
const fill = (text: string, n: number) => text.replaceAll('{n}', String(n));

function httpClient(concurrency: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  return (r: RequestSpec, n: number): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const body = r.body === undefined ? undefined : Buffer.from(fill(r.body, n));
      const req = http.request(
        fill(r.url, n),
        {
          method: r.method,
          agent,
          headers: { ...r.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

function fetchClient() {
  return async (r: RequestSpec, n: number): Promise<{ status: number; body: string }> => {
    const res = await fetch(fill(r.url, n), {
      method: r.method,
      headers: r.headers,
      body: r.body === undefined ? undefined : fill(r.body, n),
    });
    return { status: res.status, body: await res.text() };
  };
}

async function run(): Promise<LoadResult> {
  const send = spec.client === 'http' ? httpClient(spec.concurrency) : fetchClient();
  const start = performance.now();
  const measureFrom = start + (spec.warmupMs ?? 0);
  const deadline = measureFrom + (spec.durationMs ?? Number.POSITIVE_INFINITY);
  const maxRequests = spec.maxRequests ?? Number.POSITIVE_INFINITY;
  const latencies: number[] = [];
  let counter = 0;
  let errors = 0;
  let firstError: string | undefined;
  let lastEnd = measureFrom;

  async function client(): Promise<void> {
    while (latencies.length + errors < maxRequests) {
      const n = counter++;
      const r = spec.requests[n % spec.requests.length]!;
      const t0 = performance.now();
      if (t0 >= deadline) return;
      let ok = false;
      try {
        const res = await send(r, spec.firstNumber + n);
        ok = res.status === (r.expectStatus ?? 200);
        if (!ok) firstError ??= `HTTP ${res.status}: ${res.body.slice(0, 300)}`;
      } catch (e) {
        firstError ??= String(e);
      }
      const t1 = performance.now();
      // Completions inside the window count, whenever they started: the in-flight work at either edge evens out.
      if (t1 < measureFrom || t1 > deadline) continue;
      lastEnd = Math.max(lastEnd, t1);
      if (ok) latencies.push(t1 - t0);
      else errors++;
      if (errors > 20 && errors > latencies.length) return;
    }
  }

  // The client's own busy share over the measured window: near 1 would mean the client limits the result.
  let eluStart = performance.eventLoopUtilization();
  const snap = setTimeout(() => {
    eluStart = performance.eventLoopUtilization();
  }, spec.warmupMs ?? 0);
  await Promise.all(Array.from({ length: spec.concurrency }, client));
  clearTimeout(snap);
  const clientBusy = performance.eventLoopUtilization(eluStart).utilization;
  const windowMs = spec.durationMs !== undefined ? spec.durationMs : lastEnd - measureFrom;
  return { latenciesMs: latencies, errors, firstError, windowMs, requestsSent: counter, clientBusy };
}

run().then(
  (result) => parentPort!.postMessage(result),
  (e) =>
    parentPort!.postMessage({
      latenciesMs: [],
      errors: 1,
      firstError: String(e),
      windowMs: 0,
      requestsSent: 0,
      clientBusy: 0,
    }),
);
