// DNS-01 through Amazon Route 53's REST/XML API (ListResourceRecordSets, ChangeResourceRecordSets), signed with
// SigV4. Route 53 replaces a whole record set at once, so adding or removing one TXT value reads the set first and
// writes the union (UPSERT) or the rest (DELETE of the exact old set when nothing is left).
import { IssuerConfigError } from '../../plugin.ts';
import { fetchOrExplain } from './http.ts';
import type { DnsProvider } from './provider.ts';
import { type AwsCredentials, signRequest } from './sigv4.ts';

export interface Route53Settings {
  hostedZoneId: string;
  region?: string;
  apiBaseUrl?: string;
  propagationSeconds?: number;
}

const XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const TTL_SECONDS = 60;

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const xmlUnescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const tag = (xml: string, name: string) => xml.match(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`))?.[1];
const tags = (xml: string, name: string) =>
  [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g'))].map((m) => m[1] ?? '');
const fqdn = (name: string) => `${name.replace(/\.$/, '').toLowerCase()}.`;

function changeBatch(action: 'UPSERT' | 'DELETE', name: string, values: string[]): string {
  const records = values.map((v) => `<ResourceRecord><Value>${xmlEscape(`"${v}"`)}</Value></ResourceRecord>`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<ChangeResourceRecordSetsRequest xmlns="${XMLNS}"><ChangeBatch><Comment>Tarsier ACME DNS-01</Comment><Changes>`,
    `<Change><Action>${action}</Action><ResourceRecordSet><Name>${xmlEscape(fqdn(name))}</Name><Type>TXT</Type>`,
    `<TTL>${TTL_SECONDS}</TTL><ResourceRecords>${records.join('')}</ResourceRecords></ResourceRecordSet></Change>`,
    '</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>',
  ].join('');
}

export function createRoute53Provider(settings: Route53Settings, credentials: AwsCredentials): DnsProvider {
  const base = (settings.apiBaseUrl ?? 'https://route53.amazonaws.com').replace(/\/$/, '');
  const zoneId = settings.hostedZoneId.replace(/^\/?hostedzone\//, '');
  const region = settings.region ?? 'us-east-1';

  async function call(method: 'GET' | 'POST', path: string, body = ''): Promise<{ status: number; xml: string }> {
    const url = `${base}/2013-04-01/hostedzone/${encodeURIComponent(zoneId)}${path}`;
    const headers = signRequest({
      method,
      url,
      body,
      region,
      service: 'route53',
      credentials,
      now: new Date(),
      headers: body ? { 'content-type': 'text/xml' } : {},
    });
    const res = await fetchOrExplain(url, { method, headers, body: body || undefined });
    return { status: res.status, xml: await res.text() };
  }

  function failure(what: string, r: { status: number; xml: string }): Error {
    const code = tag(r.xml, 'Code') ?? `HTTP ${r.status}`;
    const message = xmlUnescape(tag(r.xml, 'Message') ?? r.xml.slice(0, 300));
    return new Error(`Route 53 ${what} failed: ${code}: ${message}`);
  }

  /** The TXT values at `name` now (without their quotes). */
  async function currentValues(name: string): Promise<string[]> {
    const query = `?name=${encodeURIComponent(fqdn(name))}&type=TXT&maxitems=1`;
    const r = await call('GET', `/rrset${query}`);
    if (r.status !== 200) throw failure(`listing TXT records at ${name}`, r);
    const set = tags(r.xml, 'ResourceRecordSet')[0];
    if (!set || tag(set, 'Type') !== 'TXT' || xmlUnescape(tag(set, 'Name') ?? '').toLowerCase() !== fqdn(name))
      return [];
    return tags(set, 'Value').map((v) => xmlUnescape(v).replace(/^"(.*)"$/, '$1'));
  }

  async function change(action: 'UPSERT' | 'DELETE', name: string, values: string[]): Promise<void> {
    const r = await call('POST', '/rrset/', changeBatch(action, name, values));
    if (r.status !== 200) throw failure(`${action} of TXT ${name}`, r);
  }

  return {
    type: 'route53',
    propagationSeconds: settings.propagationSeconds ?? 60,
    async setTxt(name, value) {
      const values = await currentValues(name);
      if (!values.includes(value)) await change('UPSERT', name, [...values, value]);
    },
    async removeTxt(name, value) {
      const values = await currentValues(name);
      if (!values.includes(value)) return;
      const rest = values.filter((v) => v !== value);
      if (rest.length > 0) await change('UPSERT', name, rest);
      else await change('DELETE', name, values);
    },
    async validate() {
      let r: { status: number; xml: string };
      try {
        r = await call('GET', '');
      } catch (e) {
        throw new IssuerConfigError('options.dnsProvider.apiBaseUrl', (e as Error).message);
      }
      if (r.status === 200) return;
      const code = tag(r.xml, 'Code') ?? '';
      const field =
        code === 'NoSuchHostedZone' || r.status === 404
          ? 'options.dnsProvider.hostedZoneId'
          : code === 'InvalidClientTokenId'
            ? 'secrets.awsAccessKeyId'
            : 'secrets.awsSecretAccessKey';
      throw new IssuerConfigError(field, failure(`reading hosted zone ${zoneId}`, r).message);
    },
  };
}
