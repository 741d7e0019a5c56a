// The CFSSL issuer against a real `cfssl serve` (one per file, started by the harness): issuing with and without
// an auth key, revoking, and validation of bad configurations. Certificates are checked with openssl, revocation
// with CFSSL's own database and OCSP responses.
import { randomBytes, X509Certificate } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCfssl, startCfssl } from '../../../../test/harness/cfssl.ts';
import { type Workdir, workdir } from '../../../../test/harness/openssl.ts';
import { IssuanceFailed, type IssueRequest, IssuerConfigError, type IssuerContext } from '../plugin.ts';
import { cfsslIssuer } from './index.ts';
import { decimalSerial } from './revoke.ts';
import type { CfsslOptions, CfsslSecrets } from './schemas.ts';

const AUTH_KEY = randomBytes(16).toString('hex');
const logged: unknown[] = [];
const ctx: IssuerContext = {
  log: {
    info: (obj, msg) => logged.push([obj, msg]),
    warn: (obj, msg) => logged.push([obj, msg]),
    error: (obj, msg) => logged.push([obj, msg]),
    debug: (obj, msg) => logged.push([obj, msg]),
  },
  clock: () => new Date(),
  challenges: { publish: async () => {}, withdraw: async () => {} },
};

let cfssl: RunningCfssl;
let work: Workdir;
let notCfssl: http.Server;
let notCfsslUrl: string;
let closedPort: number;

beforeAll(async () => {
  work = workdir();
  notCfssl = http.createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>nope</h1>'));
  await new Promise<void>((r) => notCfssl.listen(0, '127.0.0.1', r));
  notCfsslUrl = `http://127.0.0.1:${(notCfssl.address() as AddressInfo).port}`;
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  cfssl = await startCfssl({ authKey: AUTH_KEY });
});

afterAll(async () => {
  await cfssl?.stop();
  await new Promise((r) => notCfssl?.close(r));
  work?.remove();
});

const config = (options: Partial<CfsslOptions> = {}, secrets: CfsslSecrets = {}) => ({
  options: { url: cfssl.url, profile: 'server', ...options },
  secrets,
});

let csrCount = 0;
function request(dnsNames: string[], ipAddresses: string[] = []): IssueRequest {
  const name = `csr-${++csrCount}`;
  const san = [...dnsNames.map((d) => `DNS:${d}`), ...ipAddresses.map((i) => `IP:${i}`)].join(',');
  work.openssl(
    ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout'].concat([
      `${name}.key`,
      '-subj',
      `/CN=${dnsNames[0]}`,
      '-addext',
      `subjectAltName=${san}`,
      '-out',
      `${name}.csr`,
    ]),
  );
  return {
    csrPem: work.read(`${name}.csr`).toString(),
    commonName: dnsNames[0]!,
    dnsNames,
    ipAddresses,
    keyType: 'ec-p256',
    requestOptions: {},
  };
}

async function issued(req: IssueRequest, cfg: ReturnType<typeof config>) {
  const outcome = await cfsslIssuer.issue(req, cfg, ctx);
  if (outcome.status !== 'issued') throw new Error(`expected a certificate, got ${JSON.stringify(outcome)}`);
  return outcome;
}

async function refusal(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a refusal, but it succeeded');
}

describe('issue', () => {
  it('signs without auth: the leaf verifies strictly under the CA and carries the requested names', async () => {
    const result = await issued(request(['www.example.test', 'api.example.test'], ['192.0.2.7']), config());

    const leaf = work.write('open-leaf.pem', result.certificatePem);
    expect(work.openssl(['verify', '-x509_strict', '-CAfile', cfssl.caFile, leaf])).toContain(': OK');
    const sans = work.openssl(['x509', '-in', leaf, '-noout', '-ext', 'subjectAltName']);
    expect(sans).toMatch(/DNS:www\.example\.test, DNS:api\.example\.test, IP Address:192\.0\.2\.7/);
    expect(new X509Certificate(result.chainPem).fingerprint256).toBe(new X509Certificate(cfssl.caPem).fingerprint256);
    const serial = new X509Certificate(result.certificatePem).serialNumber;
    expect(cfssl.certificateRow(decimalSerial(serial))?.status).toBe('good');
  });

  it('signs through authsign with the right auth key', async () => {
    const result = await issued(request(['authed.example.test']), config({ profile: 'authed' }, { authKey: AUTH_KEY }));

    const leaf = work.write('authed-leaf.pem', result.certificatePem);
    expect(work.openssl(['verify', '-x509_strict', '-CAfile', cfssl.caFile, leaf])).toContain(': OK');
  });

  it("refuses a wrong auth key with IssuanceFailed carrying CFSSL's text", async () => {
    const wrongKey = randomBytes(16).toString('hex');
    const error = await refusal(
      cfsslIssuer.issue(request(['wrong.example.test']), config({ profile: 'authed' }, { authKey: wrongKey }), ctx),
    );

    expect(error).toBeInstanceOf(IssuanceFailed);
    expect((error as IssuanceFailed).upstream).toContain('invalid token');
  });

  it('refuses an authenticated profile asked without a key', async () => {
    const error = await refusal(cfsslIssuer.issue(request(['nokey.example.test']), config({ profile: 'authed' }), ctx));

    expect(error).toBeInstanceOf(IssuanceFailed);
    expect((error as IssuanceFailed).upstream).toContain('authentication required');
  });

  it('reports an unreachable CFSSL as a transient fault, not a refusal', async () => {
    const error = await refusal(cfsslIssuer.issue(request(['down.example.test']), config({ url: closedUrl() }), ctx));

    expect(error).not.toBeInstanceOf(IssuanceFailed);
    expect(error.message).toMatch(/ECONNREFUSED/);
  });
});

describe('revoke', () => {
  it('marks the certificate revoked in CFSSL: its database row and its own OCSP response say so', async () => {
    const result = await issued(request(['revoked.example.test']), config());
    const serialHex = new X509Certificate(result.certificatePem).serialNumber.toLowerCase();

    await cfsslIssuer.revoke!({ certificatePem: result.certificatePem, serialHex }, 'superseded', config(), ctx);

    const row = cfssl.certificateRow(decimalSerial(serialHex));
    expect(row).toMatchObject({ status: 'revoked', reason: 4 });
    const ocsp = await cfssl.ocspStatus(result.certificatePem);
    expect(ocsp).toMatch(/leaf\.pem: revoked/);
    expect(ocsp).toMatch(/Reason: superseded/);
  });

  it('reports a certificate CFSSL does not know as an upstream failure with its text', async () => {
    const error = await refusal(
      cfsslIssuer.revoke!({ certificatePem: cfssl.caPem, serialHex: '0badc0de' }, 'keyCompromise', config(), ctx),
    );

    expect(error.name).toBe('UpstreamError');
    expect(error.message).toContain('certificate not found');
  });
});

describe('validate', () => {
  const fieldOf = async (cfg: ReturnType<typeof config>) => {
    const error = await refusal(cfsslIssuer.validate(cfg, ctx));
    expect(error).toBeInstanceOf(IssuerConfigError);
    return { field: (error as IssuerConfigError).field, message: error.message };
  };

  it('accepts an open profile without a key and an authenticated profile with its key', async () => {
    await expect(cfsslIssuer.validate(config(), ctx)).resolves.toEqual(config());
    const authed = config({ profile: 'authed' }, { authKey: AUTH_KEY });
    await expect(cfsslIssuer.validate(authed, ctx)).resolves.toEqual(authed);
  });

  it('refuses a closed port on options.url, saying what was tried', async () => {
    const { field, message } = await fieldOf(config({ url: closedUrl() }));
    expect(field).toBe('options.url');
    expect(message).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/cfssl\/info failed: connect ECONNREFUSED/);
  });

  it('refuses a server that is not CFSSL on options.url', async () => {
    const { field, message } = await fieldOf(config({ url: notCfsslUrl }));
    expect(field).toBe('options.url');
    expect(message).toMatch(/answered HTTP 404 .*not CFSSL's JSON/);
  });

  it('refuses an unknown profile on options.profile, naming it', async () => {
    const { field, message } = await fieldOf(config({ profile: 'no-such-profile' }));
    expect(field).toBe('options.profile');
    expect(message).toContain("'no-such-profile'");
    const withKey = await fieldOf(config({ profile: 'no-such-profile' }, { authKey: AUTH_KEY }));
    expect(withKey.field).toBe('options.profile');
  });

  it('refuses wrong, malformed and missing auth keys on secrets.authKey', async () => {
    const wrong = await fieldOf(config({ profile: 'authed' }, { authKey: randomBytes(16).toString('hex') }));
    expect(wrong).toMatchObject({ field: 'secrets.authKey', message: expect.stringContaining('invalid token') });
    const malformed = await fieldOf(config({ profile: 'authed' }, { authKey: 'not-hex' }));
    expect(malformed.field).toBe('secrets.authKey');
    const missing = await fieldOf(config({ profile: 'authed' }));
    expect(missing).toMatchObject({ field: 'secrets.authKey', message: expect.stringContaining('requires') });
    const needless = await fieldOf(config({ profile: 'server' }, { authKey: AUTH_KEY }));
    expect(needless).toMatchObject({ field: 'secrets.authKey', message: expect.stringContaining('does not use') });
  });
});

it('never logs the auth key or a token', () => {
  expect(logged.length).toBeGreaterThan(0);
  expect(JSON.stringify(logged)).not.toContain(AUTH_KEY);
  expect(JSON.stringify(logged)).not.toMatch(/token/i);
});

/** A URL on a port nobody listens on (it was free a moment ago, in beforeAll). */
const closedUrl = () => `http://127.0.0.1:${closedPort}`;
