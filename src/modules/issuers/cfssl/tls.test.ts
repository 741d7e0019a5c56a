// The CFSSL issuer over https (`cfssl serve -tls-cert`), whose server certificate comes from a private CA: trusted
// through options.caCertificates, refused without them with a hint naming that option.
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningCfssl, startCfssl } from '../../../../test/harness/cfssl.ts';
import { type Workdir, workdir } from '../../../../test/harness/openssl.ts';
import { IssuerConfigError, type IssuerContext } from '../plugin.ts';
import { cfsslIssuer } from './index.ts';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const ctx: IssuerContext = {
  log: quiet,
  clock: () => new Date(),
  challenges: { publish: async () => {}, withdraw: async () => {} },
};

let cfssl: RunningCfssl;
let work: Workdir;

beforeAll(async () => {
  work = workdir();
  cfssl = await startCfssl({ tls: true });
});

afterAll(async () => {
  await cfssl?.stop();
  work?.remove();
});

it('validates and issues over https when the private CA is given in options.caCertificates', async () => {
  const config = { options: { url: cfssl.url, profile: 'server', caCertificates: cfssl.caPem }, secrets: {} };
  await expect(cfsslIssuer.validate(config, ctx)).resolves.toEqual(config);

  work.openssl(
    ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem'].concat([
      '-subj',
      '/CN=tls.example.test',
      '-addext',
      'subjectAltName=DNS:tls.example.test',
      '-out',
      'r.csr',
    ]),
  );
  const outcome = await cfsslIssuer.issue(
    {
      csrPem: work.read('r.csr').toString(),
      commonName: 'tls.example.test',
      dnsNames: ['tls.example.test'],
      ipAddresses: [],
      keyType: 'ec-p256',
      requestOptions: {},
    },
    config,
    ctx,
  );
  expect(outcome.status).toBe('issued');
  if (outcome.status === 'issued') {
    expect(new X509Certificate(outcome.certificatePem).subjectAltName).toBe('DNS:tls.example.test');
  }
});

it('refuses an https URL whose certificate it cannot verify, pointing at options.caCertificates', async () => {
  const error = await cfsslIssuer.validate({ options: { url: cfssl.url }, secrets: {} }, ctx).catch((e: Error) => e);

  expect(error).toBeInstanceOf(IssuerConfigError);
  expect((error as IssuerConfigError).field).toBe('options.url');
  expect((error as IssuerConfigError).message).toContain('options.caCertificates');
});
