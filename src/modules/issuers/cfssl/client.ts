// The one door to a CFSSL server: POST a JSON body to /api/v1/cfssl/<endpoint> and sort the answer into CFSSL's
// envelope ({success, result, errors}), a server that is not CFSSL, or no answer at all, so that callers can tell
// a refusal (final) from a fault (retry). Written on node:http(s) rather than fetch because fetch cannot be given
// extra CA certificates per request. Nothing here logs: bodies may carry auth tokens.
import http from 'node:http';
import https from 'node:https';
import type { CfsslOptions } from './schemas.ts';

/** CFSSL answered with its envelope. `errors` are CFSSL's own texts, e.g. "invalid token". */
export type CfsslReply =
  | { ok: true; status: number; result: Record<string, unknown> }
  | { ok: false; status: number; errors: string[] };

/** No answer: refused connection, DNS failure, TLS failure, timeout. */
export class CfsslUnreachable extends Error {
  override name = 'CfsslUnreachable';
}

/** An answer, but not CFSSL's envelope (a web server's 404 page, a proxy's 502). */
export class NotCfssl extends Error {
  override name = 'NotCfssl';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const MAX_REPLY_BYTES = 1 << 20;
const DEFAULT_TIMEOUT_SECONDS = 30;

/** The absolute URL of a CFSSL endpoint under the configured base URL (which may carry a path prefix). */
export function endpointUrl(baseUrl: string, endpoint: string): URL {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return new URL(`api/v1/cfssl/${endpoint}`, base);
}

/** CFSSL's error texts as one line, e.g. "invalid token (code 400)". */
export function errorText(reply: { errors: string[]; status: number }): string {
  return reply.errors.length ? reply.errors.join('; ') : `HTTP ${reply.status} without an error message`;
}

/**
 * POSTs `body` (serialised as JSON) to the endpoint. Throws CfsslUnreachable when nothing answers and NotCfssl
 * when the answer is not CFSSL's JSON envelope; a CFSSL refusal is a reply with `ok: false`.
 */
export async function callCfssl(
  options: Pick<CfsslOptions, 'url' | 'caCertificates' | 'timeoutSeconds'>,
  endpoint: string,
  body: unknown,
): Promise<CfsslReply> {
  const url = endpointUrl(options.url, endpoint);
  const { status, text } = await post(url, JSON.stringify(body), options);
  return parseEnvelope(url, status, text);
}

function parseEnvelope(url: URL, status: number, text: string): CfsslReply {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new NotCfssl(`${url.href} answered HTTP ${status} with ${describe(text)}, not CFSSL's JSON`, status);
  }
  const envelope = parsed as { success?: unknown; result?: unknown; errors?: unknown };
  if (typeof envelope !== 'object' || envelope === null || typeof envelope.success !== 'boolean') {
    throw new NotCfssl(`${url.href} answered HTTP ${status} with JSON that is not CFSSL's {success, result}`, status);
  }
  if (envelope.success) {
    const result = typeof envelope.result === 'object' && envelope.result !== null ? envelope.result : {};
    return { ok: true, status, result: result as Record<string, unknown> };
  }
  const errors = Array.isArray(envelope.errors)
    ? envelope.errors.map((e: { message?: unknown; code?: unknown }) =>
        e.code === undefined ? String(e.message) : `${String(e.message)} (code ${String(e.code)})`,
      )
    : [];
  return { ok: false, status, errors };
}

function describe(text: string): string {
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 80);
  return snippet ? `"${snippet}"` : 'an empty body';
}

function post(
  url: URL,
  payload: string,
  options: Pick<CfsslOptions, 'caCertificates' | 'timeoutSeconds'>,
): Promise<{ status: number; text: string }> {
  const timeoutMs = (options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        ...(url.protocol === 'https:' && options.caCertificates ? { ca: options.caCertificates } : {}),
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_REPLY_BYTES) {
            request.destroy(new CfsslUnreachable(`${url.href} sent more than ${MAX_REPLY_BYTES} bytes`));
          } else chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', (e) => reject(unreachable(url, e)));
      },
    );
    request.on('timeout', () => request.destroy(new CfsslUnreachable(`no answer within ${timeoutMs / 1000} s`)));
    request.on('error', (e) => reject(unreachable(url, e)));
    request.end(payload);
  });
}

function unreachable(url: URL, cause: Error): CfsslUnreachable {
  const code = (cause as NodeJS.ErrnoException).code;
  const reason = code && !cause.message.includes(code) ? `${code} ${cause.message}` : cause.message;
  return new CfsslUnreachable(`POST ${url.href} failed: ${reason}`, { cause });
}
