// How acme-client's requests reach the CA. acme-client sends everything through one shared axios instance, so the
// per-issuer settings (extra trusted CA certificates, a timeout, no in-client retries: the core retries with its
// own backoff) travel in an AsyncLocalStorage context that one request interceptor reads: concurrent issuers
// never see each other's trust, and TLS verification is never switched off. Network faults are recorded so the
// caller gets "connect ECONNREFUSED 127.0.0.1:1" rather than acme-client's own TypeError on a missing response.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import tls from 'node:tls';
import acme from 'acme-client';

interface TransportContext {
  agent?: https.Agent;
  /** The last request that failed without an HTTP answer, and why. */
  networkError?: { url: string; error: Error & { code?: string } };
  /** The CA's problem document of the last request that failed with an HTTP status (cleared by a success). */
  problem?: { url: string; status: number; type?: string; detail?: string };
}

type Adapter = (config: unknown) => Promise<unknown>;

const storage = new AsyncLocalStorage<TransportContext>();
const agents = new Map<string, https.Agent>();
const REQUEST_TIMEOUT_MS = 20_000;

// The very axios acme-client depends on (resolved from acme-client's own folder), for its node http adapter.
const axiosOfAcme = createRequire(createRequire(import.meta.url).resolve('acme-client'))('axios') as {
  getAdapter(name: string): Adapter;
};
const httpAdapter = axiosOfAcme.getAdapter('http');

function agentFor(caCertificates: string | undefined): https.Agent | undefined {
  if (!caCertificates?.trim()) return undefined;
  const id = createHash('sha256').update(caCertificates).digest('hex');
  let agent = agents.get(id);
  if (!agent) {
    // In addition to the system roots, so a public CA keeps working if someone adds a private root.
    agent = new https.Agent({ keepAlive: true, ca: [...tls.rootCertificates, caCertificates] });
    agents.set(id, agent);
  }
  return agent;
}

let installed = false;
function install(): void {
  if (installed) return;
  installed = true;
  acme.axios.interceptors.request.use((config) => {
    const ctx = storage.getStore();
    if (!ctx) return config; // someone else's use of acme-client: leave it alone
    const c = config as typeof config & { retryAttempt?: number };
    // acme-client retries network faults and 5xx up to retryMaxAttempts times with 5-25 s sleeps; starting
    // past the limit turns that off (a fault is the core's to retry, later, with its own backoff).
    const settings = (acme.axios.defaults as { acmeSettings?: { retryMaxAttempts?: number } }).acmeSettings;
    if (c.retryAttempt === undefined) c.retryAttempt = settings?.retryMaxAttempts ?? 5;
    c.timeout ??= REQUEST_TIMEOUT_MS;
    if (ctx.agent) c.httpsAgent = ctx.agent;
    const url = String(c.url);
    const adapter = async (cfg: unknown) => {
      try {
        const res = await httpAdapter(cfg);
        ctx.networkError = undefined;
        return res;
      } catch (e) {
        const err = e as Error & { response?: unknown };
        if (!err.response) ctx.networkError = { url, error: err };
        throw e;
      }
    };
    c.adapter = adapter as unknown as typeof c.adapter;
    return c;
  });
  // Runs after acme-client's own response interceptor, which hands every answer on as a plain response.
  acme.axios.interceptors.response.use((res) => {
    const ctx = storage.getStore();
    if (!ctx) return res;
    if (res.status < 400) ctx.problem = undefined;
    else {
      const data = (typeof res.data === 'object' && res.data ? res.data : {}) as { type?: string; detail?: string };
      const detail = data.detail ?? (typeof res.data === 'string' ? res.data.slice(0, 500) : undefined);
      ctx.problem = { url: String(res.config.url), status: res.status, type: data.type, detail };
    }
    return res;
  });
}

/** An error answer of the CA (RFC 8555 problem document), with its own text kept verbatim in `detail`. */
export class AcmeProblemError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly type: string | undefined,
    readonly detail: string,
  ) {
    super(`the ACME server answered ${url} with HTTP ${status}${type ? ` ${type}` : ''}: ${detail}`);
    this.name = 'AcmeProblemError';
  }

  /** 4xx other than rate limiting and nonce trouble: asking again will get the same answer. */
  get isPermanent(): boolean {
    return this.status >= 400 && this.status < 500 && this.status !== 429 && !this.type?.endsWith(':badNonce');
  }
}

/** Explains a request that got no HTTP answer, for a person: what was tried and what went wrong. */
export function describeNetworkError(url: string, error: Error & { code?: string }): string {
  const tlsHint = /certificate|self.signed|CERT_|unable to verify/i.test(`${error.code} ${error.message}`)
    ? ' (the TLS certificate is not trusted: add its CA to caCertificates if this is a private ACME server)'
    : '';
  return `could not reach ${url}: ${error.message}${tlsHint}`;
}

export class AcmeNetworkError extends Error {
  constructor(
    readonly url: string,
    override readonly cause: Error,
  ) {
    super(describeNetworkError(url, cause));
    this.name = 'AcmeNetworkError';
  }
}

/**
 * Runs `fn` (which talks to the CA through acme-client) with this issuer's trust settings. A request that failed
 * without an HTTP answer is rethrown as AcmeNetworkError (transient: the core retries it), one the CA refused as
 * AcmeProblemError.
 */
export async function withTransport<T>(caCertificates: string | undefined, fn: () => Promise<T>): Promise<T> {
  install();
  const ctx: TransportContext = { agent: agentFor(caCertificates) };
  try {
    return await storage.run(ctx, fn);
  } catch (e) {
    throw explain(e, ctx);
  }
}

/**
 * Turns what acme-client threw into AcmeNetworkError / AcmeProblemError using what the interceptors saw; use it
 * in a catch block inside `withTransport` to look at the CA's problem type (e.g. alreadyRevoked).
 */
export function explain(e: unknown, ctx = storage.getStore()): unknown {
  if (!ctx) return e;
  // acme-client turns a request without an answer into a TypeError (it reads `status` of no response).
  const fromAxios = e instanceof TypeError || (e as { isAxiosError?: boolean }).isAxiosError === true;
  if (ctx.networkError && fromAxios) return new AcmeNetworkError(ctx.networkError.url, ctx.networkError.error);
  // acme-client throws a plain Error carrying only the detail text; give callers the status and type too.
  if (ctx.problem && e instanceof Error && e.constructor === Error) {
    const p = ctx.problem;
    return new AcmeProblemError(p.url, p.status, p.type, p.detail ?? e.message);
  }
  return e;
}

/** GET of a JSON document (the ACME directory) with the same trust settings, without acme-client's wrapping. */
export function getJson(
  url: string,
  caCertificates: string | undefined,
): Promise<{ status: number; body: string; json?: unknown }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === 'http:' ? http : https;
    const agent = u.protocol === 'https:' ? agentFor(caCertificates) : undefined;
    const req = mod.get(u, { agent, timeout: REQUEST_TIMEOUT_MS, headers: { accept: 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (body.length < 1_000_000) body += d;
      });
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {}
        resolve({ status: res.statusCode ?? 0, body, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    req.on('error', (e) => reject(new AcmeNetworkError(url, e)));
  });
}
