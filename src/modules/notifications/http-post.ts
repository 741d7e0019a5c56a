// One POST of JSON for the webhook channels, with a timeout; a non-2xx answer fails with the status and the
// first part of the body, so the delivery record says what the receiver objected to.
export async function postJson(url: string, body: string, headers: Record<string, string> = {}): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(15_000),
  });
  if (!res.ok) {
    const text = (await res.text()).slice(0, 300);
    throw new Error(`the webhook answered HTTP ${res.status}${text ? `: ${text}` : ''}`);
  }
}
