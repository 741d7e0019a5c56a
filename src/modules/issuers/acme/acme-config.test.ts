// validate() refuses configurations that cannot work, naming the field to fix: a wrong directory URL, a closed
// port, an untrusted TLS certificate, terms not agreed, and (against a real Pebble that requires External Account
// Binding) a missing or wrong EAB key, carrying Pebble's own words; the right EAB key registers the account.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningPebble, startPebble } from '../../../../test/harness/pebble.ts';
import { freePort } from '../../../../test/harness/slapd.ts';
import { IssuerConfigError } from '../plugin.ts';
import { type AcmeOptions, type AcmeSecrets, acmeIssuer } from './index.ts';
import { startTestContext, type TestContext } from './test-helpers.ts';

const EAB_KID = 'kid-1';
const EAB_KEY = randomBytes(32).toString('base64url');
let pebble: RunningPebble;
let ctx: TestContext;

beforeAll(async () => {
  ctx = await startTestContext();
  pebble = await startPebble({ httpPort: ctx.port, eabRequired: true, eabKeys: { [EAB_KID]: EAB_KEY } });
});

afterAll(async () => {
  await pebble?.stop();
  await ctx?.close();
});

function options(over: Partial<AcmeOptions> = {}): AcmeOptions {
  return {
    directoryUrl: pebble.directoryUrl,
    termsOfServiceAgreed: true,
    caCertificates: pebble.tlsCaPem,
    eabKeyId: EAB_KID,
    ...over,
  };
}

async function refusal(o: AcmeOptions, s: AcmeSecrets): Promise<IssuerConfigError> {
  const e = await acmeIssuer.validate({ options: o, secrets: s }, ctx).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(IssuerConfigError);
  return e as IssuerConfigError;
}

describe('ACME issuer validate (real Pebble requiring EAB)', () => {
  it('refuses a URL that is not an ACME directory (404 on Pebble)', async () => {
    const url = pebble.directoryUrl.replace(/\/dir$/, '/no-such-directory');
    const e = await refusal(options({ directoryUrl: url }), { eabHmacKey: EAB_KEY });
    expect(e.field).toBe('options.directoryUrl');
    expect(e.message).toContain(url);
    expect(e.message).toMatch(/HTTP 404/);
  });

  it('refuses an unreachable server (closed port) quickly, saying what failed', async () => {
    const url = `https://127.0.0.1:${await freePort()}/dir`;
    const started = Date.now();
    const e = await refusal(options({ directoryUrl: url }), { eabHmacKey: EAB_KEY });
    expect(e.field).toBe('options.directoryUrl');
    expect(e.message).toMatch(/could not reach https:\/\/127\.0\.0\.1:\d+\/dir: .*ECONNREFUSED/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a TLS certificate it cannot verify, pointing at caCertificates', async () => {
    const e = await refusal(options({ caCertificates: undefined }), { eabHmacKey: EAB_KEY });
    expect(e.field).toBe('options.directoryUrl');
    expect(e.message).toMatch(/caCertificates/);
  });

  it('requires agreeing to the terms of service', async () => {
    const e = await refusal(options({ termsOfServiceAgreed: false }), { eabHmacKey: EAB_KEY });
    expect(e.field).toBe('options.termsOfServiceAgreed');
  });

  it('names options.eabKeyId when the CA requires EAB and none is given', async () => {
    const e = await refusal(options({ eabKeyId: undefined }), {});
    expect(e.field).toBe('options.eabKeyId');
    expect(e.message).toMatch(/external account binding/);
  });

  it('names secrets.eabHmacKey, with Pebble own text, when the HMAC key is wrong', async () => {
    const e = await refusal(options(), { eabHmacKey: randomBytes(32).toString('base64url') });
    expect(e.field).toBe('secrets.eabHmacKey');
    // Pebble's own words, verbatim.
    expect(e.message).toMatch(/^the ACME server refused the account: external account binding JWS verification error/);
  });

  it('names options.eabKeyId when the CA does not know the key id', async () => {
    const e = await refusal(options({ eabKeyId: 'kid-unknown' }), { eabHmacKey: EAB_KEY });
    expect(e.field).toBe('options.eabKeyId');
    expect(e.message).toMatch(/references a key that is not known/);
  });

  it('names secrets.accountKeyPem when the given account key is not a key', async () => {
    const e = await refusal(options(), { eabHmacKey: EAB_KEY, accountKeyPem: 'not a key' });
    expect(e.field).toBe('secrets.accountKeyPem');
  });

  it('registers the account with the right EAB key and keeps an existing account key', async () => {
    const first = await acmeIssuer.validate({ options: options(), secrets: { eabHmacKey: EAB_KEY } }, ctx);
    expect(first.options.accountUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    expect(first.secrets.accountKeyPem).toMatch(/BEGIN PRIVATE KEY/);
    expect(first.secrets.eabHmacKey).toBe(EAB_KEY);
    // Validating again (an edit of the issuer) finds the same account for the same key.
    const again = await acmeIssuer.validate(first, ctx);
    expect(again.options.accountUrl).toBe(first.options.accountUrl);
    expect(again.secrets.accountKeyPem).toBe(first.secrets.accountKeyPem);
  });
});
