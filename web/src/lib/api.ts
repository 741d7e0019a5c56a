// The UI's only way to the server: the public REST API with the web session cookie (http-only, set at sign-in)
// and the CSRF token the sign-in returned, sent on every change. Errors keep the API's code, message and field
// so forms can put the message beside the field it names.
const CSRF_KEY = 'tarsier.csrf';
export const SIGNED_OUT_EVENT = 'tarsier:signed-out';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

function csrfToken(): string | undefined {
  const stored = sessionStorage.getItem(CSRF_KEY);
  if (stored) return stored;
  // After an OIDC sign-in the server hands the token over in a script-readable cookie instead.
  return readCookie('tarsier_csrf');
}

/** A cookie the server left for the page's scripts (the CSRF token, why a sign-in failed), or undefined. */
export function readCookie(name: string): string | undefined {
  const match = document.cookie.match(new RegExp(`(?:^|;\\s*)${name}=([^;]+)`));
  return match ? decodeURIComponent(match[1]!) : undefined;
}

export function setCsrfToken(token: string | undefined): void {
  if (token) sessionStorage.setItem(CSRF_KEY, token);
  else sessionStorage.removeItem(CSRF_KEY);
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const csrf = csrfToken();
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    const json = (await res.json().catch(() => undefined)) as
      | { error?: { code: string; message: string; details?: { field?: string } } }
      | undefined;
    const e = json?.error;
    // The session ended (expired, signed out elsewhere): the app goes back to the sign-in page.
    if (res.status === 401 && !path.startsWith('/api/v1/auth/')) window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
    throw new ApiError(
      res.status,
      e?.code ?? 'internal',
      e?.message ?? `${res.status} ${res.statusText}`,
      e?.details?.field,
    );
  }
  return res;
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** A file from the API (export): the bytes and the name the server chose. */
export async function apiFile(path: string, body: unknown): Promise<{ blob: Blob; filename: string }> {
  const res = await send('POST', path, body);
  const disposition = res.headers.get('content-disposition') ?? '';
  const filename = disposition.match(/filename="([^"]+)"/)?.[1] ?? 'download';
  return { blob: await res.blob(), filename };
}

export function saveFile({ blob, filename }: { blob: Blob; filename: string }): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `?a=1&b=x` from the defined, non-empty values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
