// The outbound guard against real sockets on 127.0.0.1: classes of addresses, names resolved through the system
// resolver (localhost), and redirects re-checked hop by hop.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { createOutboundGuard, OutboundRefused, parseOutboundPolicy } from './outbound.ts';

describe('outbound policy', () => {
  it('parses classes and CIDR ranges, and names the setting for anything else', () => {
    const p = parseOutboundPolicy('private, loopback,10.9.0.0/16');
    expect([...p.allow].sort()).toEqual(['loopback', 'private']);
    expect(p.cidrs).toEqual(['10.9.0.0/16']);
    expect(() => parseOutboundPolicy('private,intranet')).toThrow(ValidationError);
    expect(() => parseOutboundPolicy('private,intranet')).toThrow(/TARSIER_OUTBOUND_ALLOW: 'intranet'/);
  });

  it('refuses link-local and cloud metadata addresses by default, including IPv4-mapped and AWS IPv6 forms', () => {
    const g = createOutboundGuard(parseOutboundPolicy('private'));
    for (const a of ['169.254.169.254', '::ffff:169.254.169.254', 'fd00:ec2::254', 'fe80::1', '100.100.100.200'])
      expect(g.refusal(a), a).toBe('a link-local address');
    expect(g.refusal('127.0.0.1')).toBe('a loopback address');
    expect(g.refusal('::1')).toBe('a loopback address');
    expect(g.refusal('0.0.0.0')).toMatch(/unspecified/);
    expect(g.refusal('10.1.2.3')).toBeUndefined();
    expect(g.refusal('fd12::1')).toBeUndefined();
    expect(g.refusal('93.184.216.34')).toBeUndefined();
  });

  it('refuses private ranges when only public addresses are allowed, and allows a listed CIDR inside them', () => {
    const g = createOutboundGuard(parseOutboundPolicy('10.9.0.0/16'));
    expect(g.refusal('10.1.2.3')).toBe('a private address');
    expect(g.refusal('192.168.1.1')).toBe('a private address');
    expect(g.refusal('10.9.4.4')).toBeUndefined();
    const meta = createOutboundGuard(parseOutboundPolicy('link-local'));
    expect(meta.refusal('169.254.169.254')).toBeUndefined();
  });

  it('checks what a name resolves to, not the name: localhost is refused unless loopback is allowed', async () => {
    await expect(createOutboundGuard(parseOutboundPolicy('private')).resolveAllowed('localhost')).rejects.toThrow(
      OutboundRefused,
    );
    const allowed = await createOutboundGuard(parseOutboundPolicy('loopback')).resolveAllowed('localhost');
    expect(allowed.length).toBeGreaterThan(0);
    await expect(createOutboundGuard(parseOutboundPolicy('loopback')).connect('169.254.169.254', 80)).rejects.toThrow(
      /169\.254\.169\.254, a link-local address/,
    );
  });
});

describe('guarded fetch', () => {
  let server: http.Server;
  let base: string;
  const seen: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url === '/to-metadata') res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      else if (req.url === '/to-self') res.writeHead(307, { location: '/ok' });
      else res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(req.url === '/ok' ? 'fine' : '');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://localhost:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const guard = createOutboundGuard(parseOutboundPolicy('loopback'));

  it('follows an allowed redirect and keeps the method of a 307', async () => {
    const res = await guard.fetch(`${base}/to-self`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('fine');
    expect(seen.slice(-2)).toEqual(['POST /to-self', 'POST /ok']);
  });

  it('refuses a redirect to the metadata address before connecting there', async () => {
    await expect(guard.fetch(`${base}/to-metadata`)).rejects.toThrow(/169\.254\.169\.254, a link-local address/);
  });

  it('refuses the first hop when loopback is not allowed', async () => {
    const strict = createOutboundGuard(parseOutboundPolicy('private'));
    await expect(strict.fetch(`${base}/ok`)).rejects.toThrow(/a loopback address/);
  });
});
