// Outbound HTTP for the API-based DNS providers: node's fetch with a timeout, and errors that name the request
// (fetch alone says only "fetch failed"). Kept apart so every provider reports network faults the same way.
/** `fetch` with a timeout and a message that says which URL failed and why (fetch's own is "fetch failed"). */
export async function fetchOrExplain(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
  } catch (e) {
    const err = e as Error & { cause?: Error };
    throw new Error(`${init.method ?? 'GET'} ${url} failed: ${err.cause?.message ?? err.message}`);
  }
}
