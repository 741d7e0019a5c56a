import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { parseCsr } from './csr.ts';
import { pemBlocks, toPem } from './pem.ts';
import { openssl, tempDir } from './testing.ts';

const dir = tempDir();
afterAll(() => dir.remove());

function makeCsr(newkey: string[], subject: string, ...extra: string[]) {
  const keyFile = `${dir.path}/key-${Math.random().toString(36).slice(2)}.pem`;
  const pem = openssl(['req', '-new', ...newkey, '-nodes', '-keyout', keyFile, '-subj', subject, ...extra]);
  return { pem, keyFile };
}

describe('parseCsr', () => {
  it('reads and verifies an openssl EC CSR with requested SANs', () => {
    const { pem, keyFile } = makeCsr(
      ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
      '/C=US/O=Acme/CN=x',
      '-addext',
      'subjectAltName=DNS:x,DNS:y.example.com,IP:127.0.0.1,IP:::1,email:a@example.com,URI:https://example.com/',
    );
    const csr = parseCsr(pem, 'csr');
    expect(csr.subject).toEqual({ country: 'US', organization: 'Acme', commonName: 'x' });
    expect(csr.sans).toEqual({
      dns: ['x', 'y.example.com'],
      ip: ['127.0.0.1', '::1'],
      email: ['a@example.com'],
      uri: ['https://example.com/'],
    });
    expect(csr.keyType).toBe('ec-p256');
    const expectedKey = openssl(['pkey', '-in', keyFile, '-pubout']);
    expect(csr.publicKey.export({ type: 'spki', format: 'pem' })).toBe(expectedKey);
    expect(Buffer.from(csr.der)).toEqual(Buffer.from(pemBlocks(pem)[0]!.der));
    // base64 DER without armour works too
    expect(parseCsr(Buffer.from(csr.der).toString('base64'), 'csr').subject.commonName).toBe('x');
  });

  it.each([
    ['rsa-2048', ['-newkey', 'rsa:2048'], 'rsa-2048'],
    ['ed25519', ['-newkey', 'ed25519'], 'ed25519'],
    ['ec-p384 signed with SHA-384', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-sha384'], 'ec-p384'],
  ])('verifies a %s CSR', (_name, args, keyType) => {
    const { pem } = makeCsr(args, '/CN=host.example.com');
    const csr = parseCsr(pem, 'csr');
    expect(csr.keyType).toBe(keyType);
    expect(csr.sans).toEqual({ dns: [], ip: [], email: [], uri: [] });
    expect(csr.publicKey.type).toBe('public');
  });

  it('rejects a CSR altered after signing', () => {
    const { pem } = makeCsr(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], '/CN=good.example.com');
    const der = Buffer.from(pemBlocks(pem)[0]!.der);
    const at = der.indexOf(Buffer.from('good.example.com'));
    der.write('evil', at, 'latin1');
    const tampered = toPem(der, 'CERTIFICATE REQUEST');
    expect(() => parseCsr(tampered, 'csr')).toThrow(ValidationError);
    expect(() => parseCsr(tampered, 'csr')).toThrow(/csr: signature does not verify: the request was altered/);
  });

  it.each([
    ['empty', ''],
    ['prose', 'please sign my key'],
    [
      'a certificate',
      openssl([
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        '/dev/null',
        '-subj',
        '/CN=x',
      ]),
    ],
    [
      'a truncated request',
      '-----BEGIN CERTIFICATE REQUEST-----\nMIIBADCBpwIBADAM\n-----END CERTIFICATE REQUEST-----\n',
    ],
    ['bad base64', '-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n'],
  ])('rejects %s with a ValidationError saying what to send', (_name, input) => {
    let error: unknown;
    try {
      parseCsr(input, 'csr');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('csr');
    expect((error as Error).message).toMatch(/PKCS#10|CERTIFICATE REQUEST|base64/);
  });
});
