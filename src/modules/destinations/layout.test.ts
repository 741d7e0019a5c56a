// File layouts and name templates: what each layout writes, with which modes, and templates that cannot escape
// the directory.
import { describe, expect, it } from 'vitest';
import { certificateFileName, checkLayout, fillTemplate, renderFiles } from './layout.ts';
import { DestinationConfigError } from './plugin.ts';

const names = {
  certificateId: 42,
  commonName: '*.shop.example.com',
  serial: '0a1b2c',
  notAfter: '2027-03-01T00:00:00.000Z',
};
const bundle = {
  ...names,
  certificatePem: '-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----\n',
  chainPem: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n',
  keyPem: '-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n',
};

describe('name templates', () => {
  it('fills {name}, {serial}, {id} and {notAfter}, making names file-system safe', () => {
    expect(fillTemplate('{name}-{serial}-{id}-{notAfter}.pem', names)).toBe(
      'wildcard.shop.example.com-0a1b2c-42-2027-03-01.pem',
    );
    expect(fillTemplate('{name}.crt', { ...names, commonName: 'a/../b c' })).toBe('a_.._b_c.crt');
    expect(fillTemplate('{name}.crt', { ...names, commonName: '' })).toBe('0a1b2c.crt');
  });

  it('refuses paths, hidden files and unknown values, naming the option', () => {
    const refuse = (options: object, field: string) => {
      try {
        checkLayout(options, {});
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(DestinationConfigError);
        expect((e as DestinationConfigError).field).toBe(field);
      }
    };
    refuse({ certFile: '../x.crt' }, 'options.certFile');
    refuse({ keyFile: '.hidden.key' }, 'options.keyFile');
    refuse({ bundleFile: '{cn}.pem' }, 'options.bundleFile');
    refuse({ layout: 'pkcs12' }, 'secrets.pkcs12Password');
    expect(() => checkLayout({ layout: 'pkcs12' }, { pkcs12Password: 'four' })).not.toThrow();
  });
});

describe('layouts', () => {
  it('split: certificate, chain and full chain world-readable, key 0600 and written last', () => {
    const files = renderFiles(bundle, {}, {});
    expect(files.map((f) => [f.name, f.mode])).toEqual([
      ['wildcard.shop.example.com.crt', 0o644],
      ['wildcard.shop.example.com.chain.crt', 0o644],
      ['wildcard.shop.example.com.fullchain.crt', 0o644],
      ['wildcard.shop.example.com.key', 0o600],
    ]);
    expect(files[2]!.content.toString()).toBe(bundle.certificatePem + bundle.chainPem);
    expect(certificateFileName({}, names)).toBe('wildcard.shop.example.com.crt');
  });

  it('split without a key (issued from a CSR) writes no key file; pem bundles are 0600 only with a key', () => {
    const { keyPem: _k, ...noKey } = bundle;
    expect(renderFiles(noKey, {}, {}).map((f) => f.name)).not.toContain('wildcard.shop.example.com.key');
    expect(renderFiles(noKey, { layout: 'pem' }, {})[0]!.mode).toBe(0o644);
    const [pem] = renderFiles(bundle, { layout: 'pem', bundleFile: 'all.pem' }, {});
    expect(pem).toMatchObject({ name: 'all.pem', mode: 0o600 });
    expect(pem!.content.toString()).toBe(bundle.certificatePem + bundle.chainPem + bundle.keyPem);
  });
});
