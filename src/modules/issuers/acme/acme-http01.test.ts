// The ACME issuer against a real Pebble with HTTP-01: issuance verified by openssl against Pebble's root,
// revocation seen by Pebble, a validation failure reported with Pebble's own text, reused authorizations, cancel.
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workdir } from '../../../../test/harness/openssl.ts';
import { type RunningPebble, startPebble } from '../../../../test/harness/pebble.ts';
import { freePort } from '../../../../test/harness/slapd.ts';
import { IssuanceFailed } from '../plugin.ts';
import { type AcmeOptions, type AcmeSecrets, acmeIssuer } from './index.ts';
import { issueToEnd, makeRequest, startTestContext, type TestContext } from './test-helpers.ts';

let pebble: RunningPebble;
let ctx: TestContext;
const work = workdir();
let config: { options: AcmeOptions; secrets: AcmeSecrets };

beforeAll(async () => {
  ctx = await startTestContext();
  pebble = await startPebble({ httpPort: ctx.port });
  const validated = await acmeIssuer.validate(
    {
      options: {
        directoryUrl: pebble.directoryUrl,
        email: 'pki@example.org',
        termsOfServiceAgreed: true,
        caCertificates: pebble.tlsCaPem,
      },
      secrets: {},
    },
    ctx,
  );
  config = validated;
  work.write('root.pem', await pebble.rootPem());
});

afterAll(async () => {
  await pebble?.stop();
  await ctx?.close();
  work.remove();
});

function sansOf(pem: string): string[] {
  return (new X509Certificate(pem).subjectAltName ?? '')
    .split(', ')
    .map((s) => s.replace(/^DNS:/, ''))
    .sort();
}

describe('ACME issuer with HTTP-01 (real Pebble)', () => {
  it('validate registers an account and keeps its URL and a generated key', () => {
    expect(config.options.accountUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/.+/);
    expect(config.secrets.accountKeyPem).toMatch(/BEGIN PRIVATE KEY/);
  });

  it('issues a certificate that openssl verifies against Pebble root, with the requested names', async () => {
    const names = ['www.http.example', 'api.http.example'];
    const req = makeRequest(work, names);
    const { outcome, states } = await issueToEnd(acmeIssuer, req, config, ctx);
    expect(outcome.status).toBe('issued');
    if (outcome.status !== 'issued') return;
    expect(states[0]?.['orderUrl']).toMatch(/^https:/);
    work.write('leaf.pem', outcome.certificatePem);
    work.write('chain.pem', outcome.chainPem);
    const out = work.openssl(['verify', '-x509_strict', '-CAfile', 'root.pem', '-untrusted', 'chain.pem', 'leaf.pem']);
    expect(out).toContain('leaf.pem: OK');
    expect(sansOf(outcome.certificatePem)).toEqual([...names].sort());
    expect(new X509Certificate(outcome.chainPem).subject).toMatch(/Pebble Intermediate/);
    expect(ctx.tokens.size).toBe(0); // every token withdrawn
    const log = ctx.logLines.join('\n');
    expect(log).not.toContain('PRIVATE KEY');
    expect(log).not.toContain(config.secrets.accountKeyPem!.split('\n')[1]);

    // The same names again: Pebble may hand back already-valid authorizations, which need no answer.
    const again = await issueToEnd(acmeIssuer, makeRequest(work, names), config, ctx);
    expect(again.outcome.status).toBe('issued');
  });

  it('revokes with the account key, and Pebble reports the certificate Revoked', async () => {
    const { outcome } = await issueToEnd(acmeIssuer, makeRequest(work, ['revoke.http.example']), config, ctx);
    if (outcome.status !== 'issued') throw new Error('not issued');
    const serialHex = new X509Certificate(outcome.certificatePem).serialNumber;
    expect((await pebble.certStatus(serialHex)).Status).toBe('Valid');
    await acmeIssuer.revoke!({ certificatePem: outcome.certificatePem, serialHex }, 'keyCompromise', config, ctx);
    const status = await pebble.certStatus(serialHex);
    expect(status.Status).toBe('Revoked');
    expect(status['Reason']).toBe(1);
    // Revoking again is not an error.
    await acmeIssuer.revoke!({ certificatePem: outcome.certificatePem, serialHex }, 'keyCompromise', config, ctx);
  });

  it('fails with Pebble own error text when the HTTP-01 answer is wrong, and withdraws the token', async () => {
    const wrong = {
      ...ctx,
      challenges: {
        publish: (token: string) => ctx.challenges.publish(token, 'not-the-key-authorization'),
        withdraw: (token: string) => ctx.challenges.withdraw(token),
      },
    };
    const err = await issueToEnd(acmeIssuer, makeRequest(work, ['wrong.http.example']), config, wrong).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IssuanceFailed);
    const failed = err as IssuanceFailed;
    expect(failed.message).toBe('ACME validation of wrong.http.example failed');
    expect(failed.upstream).toMatch(/urn:ietf:params:acme:error:unauthorized/);
    expect(failed.upstream).toMatch(/did not match/i);
    expect(ctx.tokens.size).toBe(0);
  });

  it('fails when nothing is served for the token (404)', async () => {
    const silent = { ...ctx, challenges: { publish: async () => {}, withdraw: async () => {} } };
    const err = await issueToEnd(acmeIssuer, makeRequest(work, ['silent.http.example']), config, silent).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IssuanceFailed);
    expect((err as IssuanceFailed).upstream).toMatch(/404/);
  });

  it('cancel deactivates the pending authorizations and withdraws the tokens', async () => {
    const hold = { ...ctx, challenges: { ...ctx.challenges } };
    const started = await acmeIssuer.issue(makeRequest(work, ['cancel.http.example']), config, hold);
    if (started.status !== 'pending') throw new Error('expected pending');
    await acmeIssuer.cancel!(started.state, config, ctx);
    expect(ctx.tokens.size).toBe(0);
  });

  it('certifies an IP address too (HTTP-01 on the address itself)', async () => {
    const { outcome } = await issueToEnd(
      acmeIssuer,
      makeRequest(work, ['ip.http.example'], ['127.0.0.1']),
      config,
      ctx,
    );
    if (outcome.status !== 'issued') throw new Error('not issued');
    expect(new X509Certificate(outcome.certificatePem).subjectAltName).toContain('IP Address:127.0.0.1');
  });

  it('refuses a wildcard over HTTP-01 with a message that says dns-01 is needed', async () => {
    const err = await acmeIssuer.issue(makeRequest(work, ['*.wild.http.example']), config, ctx).catch((e) => e);
    expect(err).toBeInstanceOf(IssuanceFailed);
    expect(err.message).toMatch(/no http-01 challenge for \*\.wild\.http\.example \(wildcard names need dns-01\)/);
  });

  it('reports a CA that cannot be reached as a plain (retryable) error, not IssuanceFailed', async () => {
    const down = {
      ...config,
      options: { ...config.options, directoryUrl: `https://127.0.0.1:${await freePort()}/dir` },
    };
    const started = Date.now();
    const err = await acmeIssuer.issue(makeRequest(work, ['down.http.example']), down, ctx).catch((e) => e);
    expect(err).not.toBeInstanceOf(IssuanceFailed);
    expect(err.message).toMatch(/could not reach https:\/\/127\.0\.0\.1:\d+\/dir: .*ECONNREFUSED/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a profile the CA does not offer, before ordering', async () => {
    const req = { ...makeRequest(work, ['profile.http.example']), requestOptions: { profile: 'shortlived' } };
    await expect(acmeIssuer.issue(req, config, ctx)).rejects.toThrow(/does not offer the certificate profile/);
  });
});
