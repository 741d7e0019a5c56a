// DNS-01 through Cloudflare's API v4 (zones/:zone_id/dns_records) with an API token. Each TXT value is its own
// record there, so adding is one POST and removing looks the value up by name and deletes the matching records.
import { IssuerConfigError } from '../../plugin.ts';
import { fetchOrExplain } from './http.ts';
import type { DnsProvider } from './provider.ts';

export interface CloudflareSettings {
  zoneId: string;
  apiBaseUrl?: string;
  propagationSeconds?: number;
}

interface CloudflareReply {
  success?: boolean;
  errors?: { code: number; message: string }[];
  result?: unknown;
}

const TTL_SECONDS = 60;
const DUPLICATE_RECORD = 81058; // "An identical record already exists."

export function createCloudflareProvider(settings: CloudflareSettings, secrets: { apiToken: string }): DnsProvider {
  const base = (settings.apiBaseUrl ?? 'https://api.cloudflare.com/client/v4').replace(/\/$/, '');
  const zonePath = `/zones/${encodeURIComponent(settings.zoneId)}`;

  async function call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; reply: CloudflareReply }> {
    const res = await fetchOrExplain(`${base}${zonePath}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${secrets.apiToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let reply: CloudflareReply;
    try {
      reply = JSON.parse(text) as CloudflareReply;
    } catch {
      reply = { success: false, errors: [{ code: 0, message: `HTTP ${res.status}: ${text.slice(0, 300)}` }] };
    }
    return { status: res.status, reply };
  }

  const describe = (r: { status: number; reply: CloudflareReply }) =>
    (r.reply.errors ?? []).map((e) => `${e.code}: ${e.message}`).join('; ') || `HTTP ${r.status}`;

  return {
    type: 'cloudflare',
    propagationSeconds: settings.propagationSeconds ?? 15,
    async setTxt(name, value) {
      const r = await call('POST', '/dns_records', { type: 'TXT', name, content: value, ttl: TTL_SECONDS });
      if (r.reply.success) return;
      if (r.reply.errors?.some((e) => e.code === DUPLICATE_RECORD)) return;
      throw new Error(`Cloudflare refused to add TXT ${name}: ${describe(r)}`);
    },
    async removeTxt(name, value) {
      const query = `?type=TXT&name=${encodeURIComponent(name)}&per_page=100`;
      const list = await call('GET', `/dns_records${query}`);
      if (!list.reply.success) throw new Error(`Cloudflare could not list TXT ${name}: ${describe(list)}`);
      const records = (list.reply.result ?? []) as { id: string; content: string }[];
      // Cloudflare may store the value with the quotes TXT content is shown with.
      for (const rec of records.filter((r) => r.content === value || r.content === `"${value}"`)) {
        const del = await call('DELETE', `/dns_records/${encodeURIComponent(rec.id)}`);
        if (!del.reply.success && del.status !== 404) {
          throw new Error(`Cloudflare refused to delete TXT ${name}: ${describe(del)}`);
        }
      }
    },
    async validate() {
      let r: { status: number; reply: CloudflareReply };
      try {
        r = await call('GET', '');
      } catch (e) {
        throw new IssuerConfigError('options.dnsProvider.apiBaseUrl', (e as Error).message);
      }
      if (r.reply.success) return;
      const field = r.status === 401 || r.status === 403 ? 'secrets.cloudflareApiToken' : 'options.dnsProvider.zoneId';
      throw new IssuerConfigError(field, `Cloudflare refused to read zone ${settings.zoneId}: ${describe(r)}`);
    },
  };
}
