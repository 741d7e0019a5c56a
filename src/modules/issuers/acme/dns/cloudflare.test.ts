// The Cloudflare DNS provider against a local mock of API v4 that checks method, path, Bearer token and body the
// way Cloudflare documents them, and keeps the records, so a test sees what the provider really left behind.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../../test/harness/slapd.ts';
import { IssuerConfigError } from '../../plugin.ts';
import { createCloudflareProvider } from './cloudflare.ts';

const TOKEN = 'cf-test-token';
const ZONE = '023e105f4ecef8ad9ca31a8372d0c353';
interface Rec {
  id: string;
  type: string;
  name: string;
  content: string;
  ttl: number;
}
const records: Rec[] = [];
const seen: { method: string; path: string; body: string }[] = [];
let server: http.Server;
let base: string;

function reply(res: http.ServerResponse, status: number, body: object) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

beforeAll(async () => {
  let next = 1;
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push({ method: req.method ?? '', path: url.pathname + url.search, body });
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        return reply(res, 403, { success: false, errors: [{ code: 10000, message: 'Authentication error' }] });
      }
      const m = url.pathname.match(/^\/client\/v4\/zones\/([^/]+)(\/dns_records(?:\/([^/]+))?)?$/);
      if (!m || m[1] !== ZONE) {
        return reply(res, 404, { success: false, errors: [{ code: 7003, message: 'Could not route to /zones' }] });
      }
      if (!m[2] && req.method === 'GET') return reply(res, 200, { success: true, result: { id: ZONE } });
      if (m[2] && !m[3] && req.method === 'POST') {
        expect(req.headers['content-type']).toBe('application/json');
        const r = JSON.parse(body) as Omit<Rec, 'id'>;
        expect(Object.keys(r).sort()).toEqual(['content', 'name', 'ttl', 'type']);
        if (records.some((x) => x.name === r.name && x.content === r.content)) {
          return reply(res, 400, { success: false, errors: [{ code: 81058, message: 'identical record exists' }] });
        }
        const rec = { ...r, id: `rec${next++}` };
        records.push(rec);
        return reply(res, 200, { success: true, result: rec });
      }
      if (m[2] && !m[3] && req.method === 'GET') {
        const name = url.searchParams.get('name');
        const type = url.searchParams.get('type');
        return reply(res, 200, { success: true, result: records.filter((r) => r.name === name && r.type === type) });
      }
      if (m[3] && req.method === 'DELETE') {
        const i = records.findIndex((r) => r.id === m[3]);
        if (i < 0) return reply(res, 404, { success: false, errors: [{ code: 81044, message: 'Record not found' }] });
        records.splice(i, 1);
        return reply(res, 200, { success: true, result: { id: m[3] } });
      }
      reply(res, 405, { success: false, errors: [{ code: 0, message: 'unexpected request' }] });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/client/v4`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('cloudflare DNS provider (mocked Cloudflare API)', () => {
  it('adds TXT values with the documented request and removes only the named value', async () => {
    const p = createCloudflareProvider({ zoneId: ZONE, apiBaseUrl: base }, { apiToken: TOKEN });
    await p.validate();
    const name = '_acme-challenge.example.com';
    await p.setTxt(name, 'value-one');
    await p.setTxt(name, 'value-two');
    await p.setTxt(name, 'value-two'); // already there: fine
    expect(seen.find((s) => s.method === 'POST')).toEqual({
      method: 'POST',
      path: `/client/v4/zones/${ZONE}/dns_records`,
      body: JSON.stringify({ type: 'TXT', name, content: 'value-one', ttl: 60 }),
    });
    expect(records.map((r) => r.content)).toEqual(['value-one', 'value-two']);
    await p.removeTxt(name, 'value-one');
    expect(seen.at(-2)?.path).toBe(`/client/v4/zones/${ZONE}/dns_records?type=TXT&name=${name}&per_page=100`);
    expect(seen.at(-1)).toMatchObject({ method: 'DELETE', path: `/client/v4/zones/${ZONE}/dns_records/rec1` });
    expect(records.map((r) => r.content)).toEqual(['value-two']);
    await p.removeTxt(name, 'value-two');
    await p.removeTxt(name, 'value-two'); // already gone: fine
    expect(records).toEqual([]);
  });

  it('validate names the token when Cloudflare refuses it, and the zone when it is unknown', async () => {
    const badToken = createCloudflareProvider({ zoneId: ZONE, apiBaseUrl: base }, { apiToken: 'wrong' });
    const e1 = await badToken.validate().catch((e) => e);
    expect(e1).toBeInstanceOf(IssuerConfigError);
    expect(e1.field).toBe('secrets.cloudflareApiToken');
    expect(e1.message).toContain('10000: Authentication error');
    await expect(badToken.setTxt('_acme-challenge.example.com', 'v')).rejects.toThrow(/Authentication error/);

    const badZone = createCloudflareProvider({ zoneId: 'nope', apiBaseUrl: base }, { apiToken: TOKEN });
    const e2 = await badZone.validate().catch((e) => e);
    expect(e2.field).toBe('options.dnsProvider.zoneId');

    const closedUrl = `http://127.0.0.1:${await freePort()}/client/v4`;
    const closed = createCloudflareProvider({ zoneId: ZONE, apiBaseUrl: closedUrl }, { apiToken: TOKEN });
    const e3 = await closed.validate().catch((e) => e);
    expect(e3.field).toBe('options.dnsProvider.apiBaseUrl');
    expect(e3.message).toMatch(/ECONNREFUSED/);
  });
});
