// The directory source end to end: a tree of PEM (with and without a key), DER, PKCS#7 and PKCS#12 files made
// by openssl, plus a wrong-password PKCS#12, corrupt files, a key alone and a missing directory. One run imports
// each readable certificate once (keys sealed, readable again through the audited export), reports every bad file
// as its own item, and keeps the PKCS#12 passwords secret; a second run sees a replaced and a removed file.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaPair } from './harness/authorities.ts';
import { testDialects } from './harness/databases.ts';
import { selfSignedCertificate, type Workdir, workdir } from './harness/openssl.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

describe.each(testDialects())('directory source on %s', (dialect) => {
  let t: RunningTarsier;
  let w: Workdir;
  let tree: string;
  let sourceId: number;
  let items: Record<string, any>;
  const fp = (file: string) =>
    w
      .openssl(['x509', '-in', file, '-noout', '-fingerprint', '-sha256'])
      .split('=')[1]!
      .trim()
      .replace(/:/g, '')
      .toLowerCase();

  async function issuePem(cn: string): Promise<{ cert: string; chain: string; key: string }> {
    const inter = (await t.api('GET', '/api/v1/authorities')).json.items.find((a: any) => a.type === 'intermediate');
    const c = await t.api('POST', '/api/v1/certificates', { authorityId: inter.id, commonName: cn });
    const get = async (include: string[]) =>
      (await t.api('POST', `/api/v1/certificates/${c.json.id}/export`, { format: 'pem', include })).text;
    return { cert: await get(['certificate']), chain: await get(['chain']), key: await get(['key']) };
  }

  beforeAll(async () => {
    t = await startTarsier({ dialect });
    w = workdir();
    await createCaPair(t, w, 'Files');
    tree = path.join(w.dir, 'tree');
    fs.mkdirSync(path.join(tree, 'web', 'deep'), { recursive: true });
    const put = (name: string, data: string | Uint8Array) => fs.writeFileSync(path.join(tree, name), data);
    const full = await issuePem('full.example.com');
    put('web/full.pem', full.cert + full.chain + full.key);
    const bundled = await issuePem('bundle.example.com');
    w.write('bundle.pem', bundled.cert + bundled.chain);
    w.openssl(['crl2pkcs7', '-nocrl', '-certfile', 'bundle.pem', '-outform', 'DER', '-out', 'bundle.p7b']);
    put('web/bundle.p7b', w.read('bundle.p7b'));
    selfSignedCertificate(w, 'self', { subject: '/CN=self.example.com', days: 5 });
    w.openssl(['x509', '-in', 'self.pem', '-outform', 'DER', '-out', 'self.der']);
    put('web/self.der', w.read('self.der'));
    const p12 = await issuePem('p12.example.com');
    w.write('p12.pem', p12.cert + p12.chain);
    w.write('p12.key', p12.key);
    w.openssl([
      'pkcs12',
      '-export',
      '-in',
      'p12.pem',
      '-inkey',
      'p12.key',
      '-passout',
      'pass:right-one',
      '-out',
      'p12.p12',
    ]);
    put('web/deep/store.p12', w.read('p12.p12'));
    w.openssl([
      'pkcs12',
      '-export',
      '-in',
      'p12.pem',
      '-inkey',
      'p12.key',
      '-passout',
      'pass:nobody-knows',
      '-out',
      'locked.pfx',
    ]);
    put('web/locked.pfx', w.read('locked.pfx'));
    put('web/corrupt.pem', '-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
    put('web/garbage.der', Uint8Array.from([0x30, 0x82, 0xff, 0xff, 1, 2, 3]));
    put('web/key-only.pem', full.key);
    put('web/readme.txt', 'not a certificate');
  });
  afterAll(async () => {
    await t?.stop();
    w?.remove();
  });

  it('refuses relative paths and unknown secrets at creation', async () => {
    const rel = await t.api('POST', '/api/v1/sources', {
      name: 'd',
      plugin: 'directory',
      options: { paths: ['etc/ssl'] },
    });
    expect(rel.status).toBe(400);
    expect(rel.json.error.message).toBe("options.paths[0]: 'etc/ssl' is not an absolute path");
    const secret = await t.api('POST', '/api/v1/sources', {
      name: 'd',
      plugin: 'directory',
      options: { paths: ['/tmp'] },
      secrets: { password: 'x' },
    });
    expect(secret.json.error.details.field).toBe('secrets.password');
  });

  it('imports every readable file once and reports each bad one, never aborting', async () => {
    const c = await t.api('POST', '/api/v1/sources', {
      name: 'files',
      plugin: 'directory',
      options: { paths: [tree, path.join(w.dir, 'missing')] },
      secrets: { pkcs12Passwords: ['first-guess', 'right-one'] },
    });
    expect(c.status, c.text).toBe(201);
    expect(c.json.secretsSet).toEqual(['pkcs12Passwords']);
    expect(c.text).not.toMatch(/right-one|first-guess/);
    sourceId = c.json.id;
    const run = await t.api('POST', `/api/v1/sources/${sourceId}/run`, { wait: true });
    expect(run.json).toMatchObject({ status: 'finished', itemsDone: 9, itemsFailed: 4, certificatesNew: 1 });
    const list = await t.api('GET', `/api/v1/sources/runs/${run.json.id}/items`);
    items = Object.fromEntries(list.json.items.map((i: any) => [i.target.replace(`file://${tree}/`, ''), i]));
    expect(Object.keys(items).sort()).toEqual(
      [
        'web/bundle.p7b',
        'web/corrupt.pem',
        'web/deep/store.p12',
        'web/full.pem',
        'web/garbage.der',
        'web/key-only.pem',
        'web/locked.pfx',
        'web/self.der',
        `file://${path.join(w.dir, 'missing')}`,
      ].sort(),
    );
    for (const ok of ['web/bundle.p7b', 'web/deep/store.p12', 'web/full.pem']) {
      expect(items[ok], ok).toMatchObject({ status: 'ok', problems: [], change: 'new' });
    }
    expect(items['web/self.der']).toMatchObject({
      status: 'ok',
      isNew: true,
      problems: ['self-signed', 'untrusted-chain'],
    });
    expect(items['web/locked.pfx'].message).toMatch(/^wrong password: none of the 2 configured PKCS#12 passwords/);
    expect(items['web/corrupt.pem']).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/^cannot be read: /),
    });
    expect(items['web/garbage.der']).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/^cannot be read: /),
    });
    expect(items['web/key-only.pem']).toMatchObject({
      status: 'skipped',
      message: expect.stringMatching(/no certificate/),
    });
    expect(items[`file://${path.join(w.dir, 'missing')}`].message).toMatch(/^cannot list: ENOENT/);
  });

  it('keeps the keys it found sealed, readable only through the audited export', async () => {
    const selfCert = await t.api('GET', `/api/v1/certificates?fingerprint=${fp('self.pem')}`);
    expect(selfCert.json.items).toHaveLength(1);
    const p12Id = items['web/deep/store.p12'].certificateId;
    const detail = await t.api('GET', `/api/v1/certificates/${p12Id}`);
    expect(detail.json.hasKey).toBe(true);
    const key = await t.api('POST', `/api/v1/certificates/${p12Id}/export`, { format: 'pem', include: ['key'] });
    w.write('back.key', key.text);
    expect(w.openssl(['pkey', '-in', 'back.key', '-pubout'])).toBe(w.openssl(['pkey', '-in', 'p12.key', '-pubout']));
    expect(
      w.openssl(['x509', '-in', 'p12.pem', '-noout', '-serial']).split('=')[1]!.trim().toLowerCase().replace(/^0+/, ''),
    ).toBe(detail.json.serial.replace(/^0+/, ''));
  });

  it('a second run imports nothing twice, and sees a replaced and a removed file', async () => {
    fs.rmSync(path.join(tree, 'web', 'self.der'));
    fs.copyFileSync(path.join(tree, 'web', 'full.pem'), path.join(tree, 'web', 'copy.pem'));
    const other = await issuePem('other.example.com');
    fs.writeFileSync(path.join(tree, 'web', 'full.pem'), other.cert + other.chain);
    const run = await t.api('POST', `/api/v1/sources/${sourceId}/run`, { wait: true });
    expect(run.json).toMatchObject({ status: 'finished', itemsFailed: 4, certificatesNew: 0, endpointsGone: 1 });
    const eps = (await t.api('GET', `/api/v1/endpoints?kind=file&sourceId=${sourceId}`)).json.items;
    const byPath = Object.fromEntries(eps.map((e: any) => [path.relative(tree, e.path), e]));
    expect(byPath['web/self.der'].status).toBe('gone');
    expect(byPath['web/full.pem']).toMatchObject({
      status: 'changed',
      previousCertificateId: items['web/full.pem'].certificateId,
    });
    expect(byPath['web/copy.pem']).toMatchObject({
      status: 'current',
      certificateId: items['web/full.pem'].certificateId,
    });
    const places = await t.api('GET', `/api/v1/certificates/${items['web/full.pem'].certificateId}/endpoints`);
    expect(places.json.items.map((e: any) => [path.relative(tree, e.path), e.current])).toEqual([
      ['web/full.pem', false],
      ['web/copy.pem', true],
    ]);
  });
});
