// PKCS#12 against the real openssl binary: files openssl writes must read back, files we write must open in openssl.
import { execFileSync, spawnSync } from 'node:child_process';
import { createDecipheriv, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { readPkcs12, writePkcs12 } from './pkcs12.ts';

let dir: string;
const at = (name: string) => path.join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
/** `openssl pkcs12 -info` prints its findings on stderr: both streams, and a failure if it exits non-zero. */
function opensslInfo(...args: string[]): string {
  const run = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout + run.stderr;
}

const KEY_ARGS = {
  ec: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  rsa: ['-newkey', 'rsa:2048'],
  ed25519: ['-newkey', 'ed25519'],
};
type Kind = keyof typeof KEY_ARGS;

function pkcs8(pemOrDer: string | Uint8Array): Buffer {
  const key =
    typeof pemOrDer === 'string'
      ? createPrivateKey(pemOrDer)
      : createPrivateKey({ key: Buffer.from(pemOrDer), format: 'der', type: 'pkcs8' });
  return key.export({ format: 'der', type: 'pkcs8' });
}
const certDer = (name: string) => new X509Certificate(readFileSync(at(name))).raw;

function caught(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tarsier-p12-'));
  for (const kind of Object.keys(KEY_ARGS) as Kind[]) {
    openssl(
      'req',
      '-x509',
      ...KEY_ARGS[kind],
      '-nodes',
      '-subj',
      `/CN=${kind}`,
      '-days',
      '1',
      '-keyout',
      `${kind}.key`,
      '-out',
      `${kind}.pem`,
    );
  }
  // A two-certificate chain: an EC authority and a leaf it signed.
  openssl(
    'req',
    '-x509',
    ...KEY_ARGS.ec,
    '-nodes',
    '-subj',
    '/CN=ca',
    '-days',
    '1',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
  );
  openssl('req', '-new', ...KEY_ARGS.ec, '-nodes', '-subj', '/CN=leaf', '-keyout', 'leaf.key', '-out', 'leaf.csr');
  openssl(
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-set_serial',
    '2',
    '-days',
    '1',
    '-out',
    'leaf.pem',
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function exportP12(name: string, kind: Kind | 'leaf', password: string, ...extra: string[]): Uint8Array {
  openssl(
    'pkcs12',
    '-export',
    '-in',
    `${kind}.pem`,
    '-inkey',
    `${kind}.key`,
    '-passout',
    `pass:${password}`,
    '-out',
    name,
    ...extra,
  );
  return readFileSync(at(name));
}

describe('readPkcs12 on files openssl wrote', () => {
  const variants: [string, Kind, string[]][] = [
    ['OpenSSL 3 default (PBES2 AES-256, SHA-256 MAC)', 'ec', []],
    [
      'PKCS#12 PBE 3DES with a SHA-1 MAC',
      'ec',
      ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'],
    ],
    ['unencrypted certificates (-certpbe NONE)', 'ec', ['-certpbe', 'NONE']],
    ['an unencrypted keyBag (-keypbe NONE -certpbe NONE)', 'ec', ['-keypbe', 'NONE', '-certpbe', 'NONE']],
    [
      'PBES2 AES-128 / AES-192 with a SHA-512 MAC',
      'ec',
      ['-keypbe', 'AES-128-CBC', '-certpbe', 'AES-192-CBC', '-macalg', 'sha512'],
    ],
    [
      'PBES2 des-ede3-cbc with a SHA-384 MAC',
      'ec',
      ['-keypbe', 'DES-EDE3-CBC', '-certpbe', 'DES-EDE3-CBC', '-macalg', 'sha384'],
    ],
    ['no MAC (-nomac)', 'ec', ['-nomac']],
    ['RSA-2048', 'rsa', []],
    ['Ed25519', 'ed25519', []],
  ];

  it.each(variants)('reads %s', (label, kind, extra) => {
    const file = exportP12(`${label.replace(/\W+/g, '-')}.p12`, kind, 'pass word', ...extra);
    const read = readPkcs12(file, 'pass word', 'file');
    expect(read.certificatesDer.map((c) => Buffer.from(c))).toEqual([certDer(`${kind}.pem`)]);
    expect(pkcs8(read.privateKeyDer!)).toEqual(pkcs8(readFileSync(at(`${kind}.key`), 'utf8')));
  });

  it('reads a chain of two certificates with the leaf first', () => {
    const file = exportP12('chain.p12', 'leaf', 'secret', '-certfile', 'ca.pem');
    const read = readPkcs12(file, 'secret', 'file');
    expect(read.certificatesDer.map((c) => Buffer.from(c))).toEqual([certDer('leaf.pem'), certDer('ca.pem')]);
    expect(pkcs8(read.privateKeyDer!)).toEqual(pkcs8(readFileSync(at('leaf.key'), 'utf8')));
  });

  it('reads a certificate-only file (-nokeys)', () => {
    writeFileSync(at('bundle.pem'), Buffer.concat([readFileSync(at('leaf.pem')), readFileSync(at('ca.pem'))]));
    openssl('pkcs12', '-export', '-nokeys', '-in', 'bundle.pem', '-passout', 'pass:secret', '-out', 'certs.p12');
    const read = readPkcs12(readFileSync(at('certs.p12')), 'secret', 'file');
    expect(read.privateKeyDer).toBeUndefined();
    expect(read.certificatesDer.map((c) => Buffer.from(c))).toEqual([certDer('leaf.pem'), certDer('ca.pem')]);
  });

  it('reads a file with an empty password', () => {
    const read = readPkcs12(exportP12('empty.p12', 'ec', ''), '', 'file');
    expect(pkcs8(read.privateKeyDer!)).toEqual(pkcs8(readFileSync(at('ec.key'), 'utf8')));
  });

  it('explains the legacy RC2-40 certificate encryption of `-legacy` files, or reads them where RC2 works', () => {
    const file = exportP12('legacy.p12', 'ec', 'secret', '-legacy');
    let hasRc2 = true;
    try {
      createDecipheriv('rc2-40-cbc', Buffer.alloc(5), Buffer.alloc(8));
    } catch {
      hasRc2 = false;
    }
    if (hasRc2) {
      expect(readPkcs12(file, 'secret', 'file').certificatesDer).toHaveLength(1);
    } else {
      const error = caught(() => readPkcs12(file, 'secret', 'file'));
      expect(error.field).toBe('file');
      expect(error.message).toContain('uses RC2-40 encryption (legacy); re-export it with `openssl pkcs12 -export');
    }
  });

  it('rejects a wrong password on the field "password"', () => {
    const file = exportP12('wrong.p12', 'ec', 'right');
    for (const password of ['wrong', '']) {
      const error = caught(() => readPkcs12(file, password, 'file'));
      expect(error.field).toBe('password');
      expect(error.message).toBe('password: wrong password for the PKCS#12 file (the integrity check failed)');
    }
  });

  it('rejects a wrong password on a file without a MAC', () => {
    const file = exportP12('nomac-wrong.p12', 'ec', 'right', '-nomac');
    expect(caught(() => readPkcs12(file, 'wrong', 'file')).field).toBe('password');
  });

  it('turns garbage, truncated files and other DER into a ValidationError on the given field', () => {
    const good = exportP12('good.p12', 'ec', 'secret');
    const inputs = [
      new Uint8Array(0),
      Buffer.from('not a pfx at all'),
      good.subarray(0, good.length >> 1),
      good.subarray(0, 40),
      certDer('ec.pem'),
      readFileSync(at('ec.pem')),
    ];
    for (const input of inputs) {
      const error = caught(() => readPkcs12(input, 'secret', 'upload.pkcs12'));
      expect(error.field).toBe('upload.pkcs12');
      expect(error.message).toContain('upload.pkcs12: is not a PKCS#12 (PFX) file: ');
    }
  });

  it('treats a flipped byte as a failed integrity check', () => {
    const good = Buffer.from(exportP12('flip.p12', 'ec', 'secret'));
    good[200] = good[200]! ^ 0xff;
    expect(caught(() => readPkcs12(good, 'secret', 'file'))).toBeInstanceOf(ValidationError);
  });
});

describe('writePkcs12', () => {
  const cases: [string, Kind | 'leaf', string[]][] = [
    ['EC P-256 with a chain', 'leaf', ['ca.pem']],
    ['RSA-2048', 'rsa', []],
    ['Ed25519', 'ed25519', []],
  ];

  it.each(cases)('writes %s that openssl opens, with the key matching the leaf', (_label, kind, chain) => {
    const certificatesDer = [certDer(`${kind}.pem`), ...chain.map(certDer)];
    const privateKeyDer = pkcs8(readFileSync(at(`${kind}.key`), 'utf8'));
    const p12 = writePkcs12({ privateKeyDer, certificatesDer, password: 'hunter22', friendlyName: 'web-01' });
    writeFileSync(at(`ours-${kind}.p12`), p12);

    const info = opensslInfo('pkcs12', '-in', `ours-${kind}.p12`, '-passin', 'pass:hunter22', '-info', '-nodes');
    expect(info).toContain('MAC: sha256, Iteration 2048');
    expect(info).toContain('PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256');
    expect(info).toContain('Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256');
    expect(info.match(/friendlyName: web-01/g)).toHaveLength(2);
    const keyIds = [...info.matchAll(/localKeyID: ([0-9A-F ]+)/g)].map((m) => m[1]);
    expect(keyIds).toHaveLength(2);
    expect(keyIds[0]).toBe(keyIds[1]);

    openssl(
      'pkcs12',
      '-in',
      `ours-${kind}.p12`,
      '-passin',
      'pass:hunter22',
      '-nocerts',
      '-nodes',
      '-out',
      `ours-${kind}.key`,
    );
    openssl(
      'pkcs12',
      '-in',
      `ours-${kind}.p12`,
      '-passin',
      'pass:hunter22',
      '-clcerts',
      '-nokeys',
      '-out',
      `ours-${kind}.crt`,
    );
    const keyPublic = openssl('pkey', '-in', `ours-${kind}.key`, '-pubout').toString();
    const certPublic = openssl('x509', '-in', `ours-${kind}.crt`, '-pubkey', '-noout').toString();
    expect(keyPublic).toBe(certPublic);
    expect(createPublicKey(keyPublic).export({ format: 'der', type: 'spki' })).toEqual(
      new X509Certificate(certificatesDer[0]!).publicKey.export({ format: 'der', type: 'spki' }),
    );
    const cas = openssl(
      'pkcs12',
      '-in',
      `ours-${kind}.p12`,
      '-passin',
      'pass:hunter22',
      '-cacerts',
      '-nokeys',
    ).toString();
    expect(cas.match(/BEGIN CERTIFICATE/g) ?? []).toHaveLength(chain.length);

    const back = readPkcs12(p12, 'hunter22', 'file');
    expect(back.certificatesDer.map((c) => Buffer.from(c))).toEqual(certificatesDer);
    expect(pkcs8(back.privateKeyDer!)).toEqual(privateKeyDer);
  });

  it('writes a certificate-only file and honours the iteration count', () => {
    const p12 = writePkcs12({ certificatesDer: [certDer('ca.pem')], password: 'hunter22', iterations: 5000 });
    writeFileSync(at('ours-certs.p12'), p12);
    const info = opensslInfo('pkcs12', '-in', 'ours-certs.p12', '-passin', 'pass:hunter22', '-info', '-nodes');
    expect(info).toContain('MAC: sha256, Iteration 5000');
    expect(info).not.toContain('PRIVATE KEY');
    expect(readPkcs12(p12, 'hunter22', 'f').certificatesDer.map((c) => Buffer.from(c))).toEqual([certDer('ca.pem')]);
  });

  it('requires a password of at least 4 characters', () => {
    for (const password of ['', 'abc']) {
      const error = caught(() => writePkcs12({ certificatesDer: [certDer('ec.pem')], password }));
      expect(error.field).toBe('password');
      expect(error.message).toContain('a password of at least 4 characters is required to protect the PKCS#12 file');
    }
  });

  it('refuses a leaf that does not match the key, and bytes that are not a certificate', () => {
    const privateKeyDer = pkcs8(readFileSync(at('ec.key'), 'utf8'));
    const mismatch = caught(() =>
      writePkcs12({ privateKeyDer, certificatesDer: [certDer('rsa.pem')], password: 'hunter22' }),
    );
    expect(mismatch.field).toBe('certificatesDer[0]');
    const garbage = caught(() => writePkcs12({ certificatesDer: [Buffer.from('nope')], password: 'hunter22' }));
    expect(garbage.field).toBe('certificatesDer[0]');
  });
});
