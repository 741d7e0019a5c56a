// The ACME issuer with DNS-01 through RFC 2136 updates to a real BIND named, which Pebble also uses as its
// resolver: a wildcard and its base name (two TXT values at one name) are issued and verified by openssl, and
// dig shows the TXT records gone afterwards. Also: validate checks the DNS provider's settings.
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDnsServer, startDnsServer } from '../../../../test/harness/dns-server.ts';
import { workdir } from '../../../../test/harness/openssl.ts';
import { type RunningPebble, startPebble } from '../../../../test/harness/pebble.ts';
import { IssuanceFailed, type IssueOutcome, IssuerConfigError } from '../plugin.ts';
import { createRfc2136Provider } from './dns/rfc2136.ts';
import { type AcmeOptions, type AcmeSecrets, acmeIssuer } from './index.ts';
import { issueToEnd, makeRequest, startTestContext, type TestContext } from './test-helpers.ts';

let dns: RunningDnsServer;
let pebble: RunningPebble;
let ctx: TestContext;
const work = workdir();

beforeAll(async () => {
  ctx = await startTestContext();
  dns = await startDnsServer();
  pebble = await startPebble({ httpPort: ctx.port, dnsServer: `${dns.host}:${dns.port}` });
  work.write('root.pem', await pebble.rootPem());
});

afterAll(async () => {
  await pebble?.stop();
  await dns?.stop();
  await ctx?.close();
  work.remove();
});

function dnsConfig(secret = dns.tsigSecret): { options: AcmeOptions; secrets: AcmeSecrets } {
  return {
    options: {
      directoryUrl: pebble.directoryUrl,
      termsOfServiceAgreed: true,
      caCertificates: pebble.tlsCaPem,
      challenge: 'dns-01',
      dnsProvider: {
        type: 'rfc2136',
        server: dns.host,
        port: dns.port,
        zone: dns.zone,
        tsigKeyName: dns.tsigKeyName,
        tsigAlgorithm: 'hmac-sha256',
      },
    },
    secrets: { tsigSecret: secret },
  };
}

describe('ACME issuer with DNS-01 via RFC 2136 (real Pebble, real named)', () => {
  it('issues a wildcard and its base name, verified by openssl, and removes the TXT records', async () => {
    const config = await acmeIssuer.validate(dnsConfig(), ctx);
    const names = [`wild.${dns.zone}`, `*.wild.${dns.zone}`];
    const { outcome, states } = await issueToEnd(acmeIssuer, makeRequest(work, names), config, ctx);
    if (outcome.status !== 'issued') throw new Error('not issued');
    // Both values went to the same name, and HTTP-01 was not used.
    expect(states[0]?.['txtRecords']).toHaveLength(2);
    expect(ctx.tokens.size).toBe(0);
    work.write('leaf.pem', outcome.certificatePem);
    work.write('chain.pem', outcome.chainPem);
    const out = work.openssl(['verify', '-x509_strict', '-CAfile', 'root.pem', '-untrusted', 'chain.pem', 'leaf.pem']);
    expect(out).toContain('leaf.pem: OK');
    const sans = (new X509Certificate(outcome.certificatePem).subjectAltName ?? '').split(', ').sort();
    expect(sans).toEqual(names.map((n) => `DNS:${n}`).sort());
    expect(await dns.dig(`_acme-challenge.wild.${dns.zone}`, 'TXT')).toEqual([]);
  });

  it('waits for propagation, then fails with Pebble own text when the TXT record is missing', async () => {
    const base = dnsConfig();
    const settings = base.options.dnsProvider;
    if (settings?.type !== 'rfc2136') throw new Error('rfc2136 settings expected');
    const dnsProvider = { ...settings, propagationSeconds: 1 };
    const config = await acmeIssuer.validate({ ...base, options: { ...base.options, dnsProvider } }, ctx);
    const req = makeRequest(work, [`gone.${dns.zone}`]);
    const started = await acmeIssuer.issue(req, config, ctx);
    if (started.status !== 'pending') throw new Error('expected pending');
    expect(started.retryAfterSeconds).toBe(1);
    expect(started.state['submitted']).toBe(false);
    // Someone removes the record while Tarsier waits for propagation, so the CA finds nothing.
    const records = started.state['txtRecords'] as { name: string; value: string }[];
    expect(records).toHaveLength(1);
    let outcome: IssueOutcome = started;
    let error: unknown;
    const provider = createRfc2136Provider(dnsProvider, { tsigSecret: dns.tsigSecret });
    await provider.removeTxt(records[0]!.name, records[0]!.value);
    for (let i = 0; i < 60 && outcome.status === 'pending'; i++) {
      await new Promise((r) => setTimeout(r, 300));
      try {
        outcome = await acmeIssuer.poll!(outcome.state, req, config, ctx);
      } catch (e) {
        error = e;
        break;
      }
    }
    expect(error).toBeInstanceOf(IssuanceFailed);
    expect((error as IssuanceFailed).message).toBe(`ACME validation of gone.${dns.zone} failed`);
    expect((error as IssuanceFailed).upstream).toMatch(/urn:ietf:params:acme:error:unauthorized: .*TXT/i);
  });

  it('validate refuses a wrong TSIG secret and a missing one, naming the secret', async () => {
    const wrong = await acmeIssuer.validate(dnsConfig(Buffer.alloc(32, 1).toString('base64')), ctx).catch((e) => e);
    expect(wrong).toBeInstanceOf(IssuerConfigError);
    expect((wrong as IssuerConfigError).field).toBe('secrets.tsigSecret');
    const c = dnsConfig();
    const missing = await acmeIssuer.validate({ ...c, secrets: {} }, ctx).catch((e) => e);
    expect((missing as IssuerConfigError).field).toBe('secrets.tsigSecret');
  });
});
