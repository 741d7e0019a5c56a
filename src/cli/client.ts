// The small REST client every CLI noun shares: resolves the server URL and token (--token > TARSIER_TOKEN > the
// file `tarsier login` wrote), sends one request, and turns every failure into an ApiError whose message is the
// server's own (with the HTTP status), or a plain sentence when the server cannot be reached at all.
import fs from 'node:fs';
import type { Command } from 'commander';
import { loadClientConfig } from '../config.ts';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The options every client command accepts. */
export interface ClientFlags {
  url?: string;
  token?: string;
  json?: boolean;
}

export function withClientOptions(command: Command): Command {
  return command
    .option('--url <url>', 'Tarsier server (TARSIER_URL, default http://127.0.0.1:8420)')
    .option('--token <token>', 'bearer token (TARSIER_TOKEN, else the file saved by `tarsier login`)')
    .option('--json', 'print the API response as JSON');
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
}

export interface ApiReply<T> {
  status: number;
  body: T;
}

export interface ApiClient {
  readonly url: string;
  /** Sends a request and parses the JSON reply. */
  json<T>(method: string, path: string, opts?: RequestOptions): Promise<ApiReply<T>>;
  /** Sends a request and returns the reply's bytes exactly (PEM text, DER, PKCS#12). */
  bytes(method: string, path: string, opts?: RequestOptions): Promise<Buffer>;
}

/** The token saved by `tarsier login`, or undefined when there is none. */
export function readSavedToken(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ApiError(`cannot read the token file ${file}: ${(e as Error).message}`);
  }
}

function unreachable(url: string, e: unknown): ApiError {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (e as Error).message;
  return new ApiError(
    `cannot reach the Tarsier server at ${url} (${reason}); is it running? Point to it with --url or TARSIER_URL`,
  );
}

async function failure(res: Response, url: string, hasToken: boolean): Promise<ApiError> {
  const text = await res.text();
  let error: { code?: string; message?: string; details?: Record<string, unknown> } | undefined;
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error;
  } catch {
    error = undefined;
  }
  let message = error?.message
    ? `${error.message} (HTTP ${res.status})`
    : `HTTP ${res.status} ${res.statusText} from ${url}${text ? `: ${text.slice(0, 200)}` : ''}`;
  // An API key that was revoked or expired needs a new key, not a new login: the server's message says which.
  if (res.status === 401 && !message.includes('tarsier login') && !message.includes('API key')) {
    message += hasToken
      ? '; the token was refused (expired?): run `tarsier login` again'
      : '; run `tarsier login` first, or pass --token / set TARSIER_TOKEN';
  }
  return new ApiError(message, res.status, error?.code, error?.details);
}

/** Makes a client for the server the flags and the configuration name; `anonymous` sends no token (login). */
export function connect(flags: ClientFlags = {}, opts: { anonymous?: boolean } = {}): ApiClient {
  const config = loadClientConfig({ url: flags.url, token: flags.token });
  const token = opts.anonymous ? undefined : (config.token ?? readSavedToken(config.tokenFile));
  const base = config.url;

  async function send(method: string, path: string, opts: RequestOptions): Promise<Response> {
    let target: URL;
    try {
      target = new URL(`${base}${path}`);
    } catch {
      throw new ApiError(`'${base}' is not a valid server URL; use e.g. --url http://127.0.0.1:8420`);
    }
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined && v !== '') target.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { accept: 'application/json, */*' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(target, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
    } catch (e) {
      throw unreachable(base, e);
    }
    if (!res.ok) throw await failure(res, base, token !== undefined);
    return res;
  }

  return {
    url: base,
    async json<T>(method: string, path: string, opts: RequestOptions = {}) {
      const res = await send(method, path, opts);
      const text = await res.text();
      try {
        return { status: res.status, body: JSON.parse(text) as T };
      } catch {
        throw new ApiError(
          `the server at ${base} answered ${path} with something that is not JSON (HTTP ${res.status})`,
        );
      }
    },
    async bytes(method: string, path: string, opts: RequestOptions = {}) {
      const res = await send(method, path, opts);
      return Buffer.from(await res.arrayBuffer());
    },
  };
}
