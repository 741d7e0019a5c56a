// The ACME issuer end to end through Tarsier: a real Pebble validating HTTP-01 against Tarsier's own
// /.well-known/acme-challenge/ answers, and DNS-01 through RFC 2136 updates to a real BIND that Pebble resolves
// with; certificates arrive through the pending-certificate loop, verify with openssl against Pebble's root, and
// are revoked at Pebble. A failed validation ends as a failed pending certificate carrying Pebble's own text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTarsier } from './harness/cli.ts';
import { testDialects } from './harness/databases.ts';
import { type RunningDnsServer, startDnsServer } from './harness/dns-server.ts';
import { type Workdir, workdir } from './harness/openssl.ts';
import { type RunningPebble, startPebble } from './harness/pebble.ts';
import { freePort } from './harness/slapd.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

describe.each(testDialects())('ACME issuer through Tarsier on %s', (dialect) => {
  let t: RunningTarsier;
  let pebble: RunningPebble;
  let dns: RunningDnsServer;
  let w: Workdir;
  let http01: number;
  let dns01: number;

  beforeAll(async () => {
    const port = await freePort();
    dns = await startDnsServer();
    [pebble, t] = await Promise.all([
      startPebble({ httpPort: port, dnsServer: `${dns.host}:${dns.port}` }),
      startTarsier({ dialect, port, settings: { pendingPollSeconds: '1' } }),
    ]);
    w = workdir();
    w.write('root.pem', await pebble.rootPem());
  });
  afterAll(async () => {
    await Promise.all([t?.stop(), pebble?.stop()]);
    await dns?.stop();
    w?.remove();
  });

  const acme = (extra: object = {}) => ({
    directoryUrl: pebble.directoryUrl,
    email: 'pki@example.org',
    termsOfServiceAgreed: true,
    caCertificates: pebble.tlsCaPem,
    ...extra,
  });

  /** Waits for the background loop to finish a pending certificate. */
  async function settled(pendingId: number): Promise<any> {
    for (let i = 0; i < 120; i++) {
      const p = await t.api('GET', `/api/v1/pending-certificates/${pendingId}`);
      if (p.json.status !== 'pending') return p.json;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`pending certificate ${pendingId} did not settle`);
  }

  /** Requests a certificate and follows it to the end; returns the certificate (or the failed pending row). */
  async function issue(body: object): Promise<{ certificate?: any; pending: any }> {
    const r = await t.api('POST', '/api/v1/certificates', body);
    expect(r.status, r.text).toBe(202);
    expect(r.json.status).toBe('pending-issuance');
    const pending = await settled(r.json.pendingCertificate.id);
    if (pending.status !== 'issued') return { pending };
    return { pending, certificate: (await t.api('GET', `/api/v1/certificates/${pending.certificateId}`)).json };
  }

  function verify(cert: any, name: string): string {
    w.write(`${name}.pem`, cert.pem);
    w.write(`${name}-chain.pem`, cert.chainPem);
    return w.openssl([
      'verify',
      '-x509_strict',
      '-CAfile',
      'root.pem',
      '-untrusted',
      `${name}-chain.pem`,
      `${name}.pem`,
    ]);
  }

  it('refuses bad settings at creation with a message naming the field', async () => {
    const create = (options: object, secrets: object = {}) =>
      t.api('POST', '/api/v1/issuers', { name: 'bad-acme', plugin: 'acme', options, secrets });
    const wrongUrl = await create(acme({ directoryUrl: `${pebble.directoryUrl}-nope` }));
    expect(wrongUrl.status).toBe(400);
    expect(wrongUrl.json.error.details.field).toBe('options.directoryUrl');
    const unreachable = await create(acme({ directoryUrl: 'https://127.0.0.1:1/dir' }));
    expect(unreachable.status).toBe(400);
    expect(unreachable.json.error.details.field).toBe('options.directoryUrl');
    const terms = await create(acme({ termsOfServiceAgreed: false }));
    expect(terms.status).toBe(400);
    expect(terms.json.error.details.field).toBe('options.termsOfServiceAgreed');
    const badTsig = await create(
      acme({
        challenge: 'dns-01',
        dnsProvider: {
          type: 'rfc2136',
          server: dns.host,
          port: dns.port,
          zone: dns.zone,
          tsigKeyName: dns.tsigKeyName,
        },
      }),
      { tsigSecret: Buffer.from('not the key').toString('base64') },
    );
    expect(badTsig.status).toBe(400);
    expect(badTsig.json.error.details.field).toMatch(/tsig/i);
    expect((await t.api('GET', '/api/v1/issuers')).json.items).toEqual([]);
  });

  it('registers an HTTP-01 issuer; the account key it made is sealed and never shown', async () => {
    const r = await t.api('POST', '/api/v1/issuers', { name: 'pebble', plugin: 'acme', options: acme() });
    expect(r.status, r.text).toBe(201);
    expect(r.json.options.accountUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    expect(r.json.secretsSet).toContain('accountKeyPem');
    expect(r.text).not.toContain('PRIVATE KEY');
    http01 = r.json.id;
    const chain = await t.api('GET', `/api/v1/issuers/${http01}/chain`);
    expect(chain.status).toBe(422);
    expect(chain.json.error.message).toMatch(/publishes no CA chain apart from its certificates/);
  });

  it('issues through HTTP-01 answered by Tarsier itself; the certificate chains to Pebble', async () => {
    const names = [`www.${dns.zone}`, `api.${dns.zone}`];
    const { certificate, pending } = await issue({ issuerId: http01, commonName: names[0], sans: { dns: names } });
    expect(pending.status, pending.lastError).toBe('issued');
    expect(certificate.issuerId).toBe(http01);
    expect(certificate.sans.dns).toEqual(names);
    expect(certificate.hasKey).toBe(true);
    expect(verify(certificate, 'http01')).toContain('http01.pem: OK');
    const tokens = await t.services.db.selectFrom('acme_challenges').selectAll().execute();
    expect(tokens).toEqual([]);
  });

  it('issues through DNS-01 with RFC 2136 updates to BIND, and leaves no TXT record behind', async () => {
    const r = await t.api('POST', '/api/v1/issuers', {
      name: 'pebble-dns',
      plugin: 'acme',
      options: acme({
        challenge: 'dns-01',
        dnsProvider: {
          type: 'rfc2136',
          server: dns.host,
          port: dns.port,
          zone: dns.zone,
          tsigKeyName: dns.tsigKeyName,
          tsigAlgorithm: 'hmac-sha256',
        },
      }),
      secrets: { tsigSecret: dns.tsigSecret },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.text).not.toContain(dns.tsigSecret);
    dns01 = r.json.id;
    const { certificate, pending } = await issue({ issuerId: dns01, commonName: `*.dns.${dns.zone}` });
    expect(pending.status, pending.lastError).toBe('issued');
    expect(certificate.sans.dns).toEqual([`*.dns.${dns.zone}`]);
    expect(verify(certificate, 'dns01')).toContain('dns01.pem: OK');
    expect(await dns.dig(`_acme-challenge.dns.${dns.zone}`, 'TXT')).toEqual([]);
  });

  it('revokes at Pebble', async () => {
    const { certificate } = await issue({ issuerId: http01, commonName: `revoke.${dns.zone}` });
    const r = await t.api('POST', `/api/v1/certificates/${certificate.id}/revoke`, { reason: 'keyCompromise' });
    expect(r.status, r.text).toBe(200);
    expect(r.json.status).toBe('revoked');
    const status = await pebble.certStatus(certificate.serial.replaceAll(':', ''));
    expect(status.Status).toBe('Revoked');
  });

  it("ends a failed validation as a failed pending certificate with Pebble's own error text", async () => {
    // BIND is authoritative for its zone only: a name elsewhere cannot be resolved, so Pebble cannot validate it.
    const { certificate, pending } = await issue({ issuerId: http01, commonName: 'www.unresolvable.example' });
    expect(certificate).toBeUndefined();
    expect(pending.status).toBe('failed');
    expect(pending.lastError).toMatch(/www\.unresolvable\.example/);
    expect(pending.upstreamError).toMatch(/DNS|dns|resolve|connection|urn:ietf:params:acme:error/);
    const list = await t.api('GET', '/api/v1/pending-certificates?status=failed');
    expect(list.json.items.map((p: any) => p.id)).toContain(pending.id);
    if (dialect !== 'sqlite') return;
    const env = { ...process.env, TARSIER_URL: t.url, TARSIER_TOKEN_FILE: w.write('token', `${t.token}\n`) };
    const shown = await runTarsier(['pending', 'show', String(pending.id)], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/Status:\s+failed/);
    expect(shown.stdout).toContain(pending.upstreamError.split('\n')[0]);
  });

  it('cancels a pending certificate, and the issuer stops working on it', async () => {
    const r = await t.api('POST', '/api/v1/certificates', { issuerId: http01, commonName: `cancel.${dns.zone}` });
    expect(r.status).toBe(202);
    const id = r.json.pendingCertificate.id;
    const c = await t.api('POST', `/api/v1/pending-certificates/${id}/cancel`);
    // The loop may have finished it in the meantime; both ends are consistent.
    if (c.status === 409) expect((await settled(id)).status).toBe('issued');
    else {
      expect(c.json.status).toBe('cancelled');
      await new Promise((res) => setTimeout(res, 1500));
      expect((await t.api('GET', `/api/v1/pending-certificates/${id}`)).json.status).toBe('cancelled');
    }
  });
});
