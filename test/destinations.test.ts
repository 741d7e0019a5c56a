// Destinations end to end on SQLite and PostgreSQL: a directory destination feeding a real nginx (the TLS
// handshake, checked with openssl s_client, presents the issued certificate, then its replacement after rotation),
// file layouts and modes, recorded command failures, signed webhooks checked by a receiver here, key links, the
// outbound guard, and several failing destinations in one deployment without the others being stopped.
import { spawn } from 'node:child_process';
import { createHmac, createPrivateKey, createPublicKey, timingSafeEqual, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaPair } from './harness/authorities.ts';
import { testDialects } from './harness/databases.ts';
import { type RunningNginx, startNginx } from './harness/nginx.ts';
import { type Workdir, workdir } from './harness/openssl.ts';
import { freePort } from './harness/slapd.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

/** openssl s_client with stdin at EOF, so it closes after the handshake; resolves with what it printed. */
function handshake(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'www.example.com'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`s_client exited ${code}: ${out}`))));
  });
}

const HMAC_SECRET = 'webhook-shared-secret-0123456789';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  signatureOk: boolean;
}

/** A webhook receiver that checks the signature the way a user's would. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const ts = String(req.headers['x-tarsier-timestamp'] ?? '');
      const expected = Buffer.from(`sha256=${createHmac('sha256', HMAC_SECRET).update(`${ts}.${body}`).digest('hex')}`);
      const given = Buffer.from(String(req.headers['x-tarsier-signature'] ?? ''));
      const signatureOk = given.length === expected.length && timingSafeEqual(given, expected);
      received.push({ headers: req.headers, body, signatureOk });
      res
        .writeHead(signatureOk ? 200 : 401, { 'content-type': 'text/plain' })
        .end(signatureOk ? 'stored' : 'bad signature');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe.each(testDialects())('destinations on %s', (dialect) => {
  let t: RunningTarsier;
  let w: Workdir;
  let nginx: RunningNginx;
  let inter: any;
  let hook: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    t = await startTarsier({ dialect, settings: { outboundAllow: 'private,loopback' } });
    w = workdir();
    ({ inter } = await createCaPair(t, w, 'Deploy'));
    nginx = await startNginx();
    hook = await startReceiver();
  });
  afterAll(async () => {
    await nginx?.stop();
    await hook?.close();
    await t?.stop();
    w?.remove();
  });

  const create = async (name: string, plugin: string, options: object, secrets?: object) => {
    const r = await t.api('POST', '/api/v1/destinations', { name, plugin, options, secrets });
    expect(r.status, r.text).toBe(201);
    return r.json;
  };
  const issue = async (commonName: string, extra: object = {}) => {
    const r = await t.api('POST', '/api/v1/certificates', { authorityId: inter.id, commonName, ...extra });
    expect(r.status, r.text).toBe(201);
    return r.json;
  };
  /** The serial nginx presents, read by openssl s_client (waits out the reload's old workers). */
  const presentedSerial = async (want: string) => {
    let got = '';
    for (let i = 0; i < 100 && got !== want.toUpperCase(); i++) {
      if (i) await new Promise((r) => setTimeout(r, 100));
      w.write('presented.pem', await handshake(nginx.tlsPort));
      got = w
        .openssl(['x509', '-in', 'presented.pem', '-noout', '-serial'])
        .trim()
        .replace(/^serial=/, '');
    }
    return got;
  };

  it('refuses bad settings with the field to fix, before anything is stored', async () => {
    const bad = async (body: object, field: string) => {
      const r = await t.api('POST', '/api/v1/destinations', body);
      expect(r.status, r.text).toBe(400);
      expect(r.json.error.details.field).toBe(field);
    };
    await bad({ name: 'x1', plugin: 'ftp', options: {} }, 'plugin');
    await bad({ name: 'x2', plugin: 'directory', options: { path: 'relative/dir' } }, 'options.path');
    await bad(
      { name: 'x3', plugin: 'directory', options: { path: '/tmp', certFile: '../etc/x.crt' } },
      'options.certFile',
    );
    await bad({ name: 'x4', plugin: 'directory', options: { path: '/tmp', keyFile: '{cn}.key' } }, 'options.keyFile');
    await bad(
      { name: 'x5', plugin: 'directory', options: { path: '/tmp', layout: 'pkcs12' } },
      'secrets.pkcs12Password',
    );
    await bad({ name: 'x6', plugin: 'directory', options: { path: '/tmp', colour: 'red' } }, 'options.colour');
    await bad(
      { name: 'x7', plugin: 'webhook', options: { url: 'ftp://example.com/x' }, secrets: { hmacSecret: HMAC_SECRET } },
      'options.url',
    );
    await bad(
      { name: 'x8', plugin: 'sftp', options: { host: 'h', username: 'u', hostKey: 'SHA256:abcdefgh', path: '/x' } },
      'secrets',
    );
    expect((await t.api('GET', '/api/v1/destinations')).json.items).toEqual([]);
  });

  it('issues into nginx: the handshake presents the issued certificate, and after rotation its replacement', async () => {
    const dest = await create('nginx-www', 'directory', {
      path: nginx.certDir,
      certFile: 'www.crt',
      chainFile: 'www.chain.crt',
      fullchainFile: 'www.fullchain.crt',
      keyFile: 'www.key',
      command: nginx.reloadCommand,
    });
    const cert = await issue('www.example.com', { destinations: [dest.id] });
    expect(cert.deployments).toHaveLength(1);
    expect(cert.deployments[0]).toMatchObject({ status: 'success', exitCode: 0, destination: 'nginx-www' });
    expect(cert.deployments[0].location).toBe(path.join(nginx.certDir, 'www.crt'));
    expect(await presentedSerial(cert.serial)).toBe(cert.serial.toUpperCase());
    expect(fs.statSync(path.join(nginx.certDir, 'www.key')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(nginx.certDir, 'www.crt')).mode & 0o777).toBe(0o644);
    expect(fs.readdirSync(nginx.certDir).filter((f) => f.includes('tarsier'))).toEqual([]);
    expect(
      w.openssl([
        'verify',
        '-x509_strict',
        '-CAfile',
        'root.pem',
        '-untrusted',
        path.join(nginx.certDir, 'www.chain.crt'),
        path.join(nginx.certDir, 'www.crt'),
      ]),
    ).toContain(': OK');

    const rotated = await t.api('POST', `/api/v1/certificates/${cert.id}/rotate`, {});
    expect(rotated.status, rotated.text).toBe(201);
    expect(rotated.json.serial).not.toBe(cert.serial);
    expect(await presentedSerial(rotated.json.serial)).toBe(rotated.json.serial.toUpperCase());
    const history = await t.api('GET', `/api/v1/certificates/${rotated.json.id}/deployments`);
    expect(history.json.items).toMatchObject([{ destinationId: dest.id, status: 'success', exitCode: 0 }]);
    const old = await t.api('GET', `/api/v1/certificates/${cert.id}/deployments`);
    expect(old.json.items).toHaveLength(1);
    const there = await t.api('GET', `/api/v1/certificates/${rotated.json.id}/deployed`);
    expect(there.json.items).toMatchObject([{ destinationId: dest.id, state: 'current', error: null }]);
    const replaced = await t.api('GET', `/api/v1/certificates/${cert.id}/deployed`);
    expect(replaced.json.items).toMatchObject([{ state: 'other' }]);
    const bare = (hex: string) => hex.toLowerCase().replace(/^0+/, '');
    expect(bare(replaced.json.items[0].serial)).toBe(bare(rotated.json.serial));
    const events = await t.api(
      'GET',
      `/api/v1/audit-events?action=certificate.read-key&targetType=certificate&targetId=${rotated.json.id}`,
    );
    expect(events.status, events.text).toBe(200);
    expect(events.json.items.some((e: any) => e.details?.purpose === 'deploy')).toBe(true);
  });

  it('records a failing command with its exit status and output, and POST deploy redeploys', async () => {
    const dir = fs.mkdtempSync(path.join(w.dir, 'fail-'));
    const dest = await create('reload-fails', 'directory', {
      path: dir,
      command: 'echo "reload refused: bad config" >&2; exit 3',
    });
    const cert = await issue('fail.example.com');
    const r = await t.api('POST', `/api/v1/certificates/${cert.id}/deploy`, { destinations: [dest.id] });
    expect(r.status, r.text).toBe(200);
    expect(r.json.items[0]).toMatchObject({ status: 'failed', exitCode: 3, error: 'the command exited with status 3' });
    expect(r.json.items[0].output).toContain('reload refused: bad config');
    expect(fs.existsSync(path.join(dir, 'fail.example.com.crt'))).toBe(true);
    const again = await t.api('POST', `/api/v1/certificates/${cert.id}/deploy`, {});
    expect(again.json.items).toHaveLength(1);
    expect((await t.api('GET', `/api/v1/certificates/${cert.id}/deployments`)).json.items).toHaveLength(2);
  });

  it('lays out PEM bundles and PKCS#12 files from name templates, key-bearing files mode 0600', async () => {
    const dir = fs.mkdtempSync(path.join(w.dir, 'layouts-'));
    const pem = await create('bundle', 'directory', { path: dir, layout: 'pem', bundleFile: '{name}-{serial}.pem' });
    const p12 = await create(
      'p12',
      'directory',
      { path: dir, layout: 'pkcs12', pkcs12File: 'id-{id}.p12' },
      { pkcs12Password: 'p12-secret' },
    );
    const cert = await issue('*.apps.example.com');
    const r = await t.api('POST', `/api/v1/certificates/${cert.id}/deploy`, { destinations: [pem.id, p12.id] });
    expect(r.json.items.map((d: any) => d.status)).toEqual(['success', 'success']);
    const pemFile = path.join(dir, `wildcard.apps.example.com-${cert.serial}.pem`);
    expect(fs.statSync(pemFile).mode & 0o777).toBe(0o600);
    const text = fs.readFileSync(pemFile, 'utf8');
    expect(text.match(/BEGIN CERTIFICATE/g)).toHaveLength(3); // leaf, issuing CA, root
    expect(text).toContain('BEGIN PRIVATE KEY');
    const p12File = path.join(dir, `id-${cert.id}.p12`);
    expect(fs.statSync(p12File).mode & 0o777).toBe(0o600);
    const dump = w.openssl(['pkcs12', '-in', p12File, '-passin', 'pass:p12-secret', '-nodes']);
    expect(dump).toContain('BEGIN PRIVATE KEY');
    w.write('p12-leaf.pem', dump);
    expect(w.openssl(['x509', '-in', 'p12-leaf.pem', '-noout', '-serial'])).toContain(cert.serial.toUpperCase());
    const shown = await t.api('GET', `/api/v1/destinations/${p12.id}`);
    expect(shown.json.secretsSet).toEqual(['pkcs12Password']);
    expect(shown.text).not.toContain('p12-secret');
  });

  it('posts a signed bundle to a webhook, or only the certificate and a one-time key link', async () => {
    const full = await create('hook-full', 'webhook', { url: hook.url }, { hmacSecret: HMAC_SECRET });
    const link = await create(
      'hook-link',
      'webhook',
      { url: hook.url, payload: 'key-link' },
      { hmacSecret: HMAC_SECRET },
    );
    expect(JSON.stringify((await t.api('GET', '/api/v1/destinations')).json)).not.toContain(HMAC_SECRET);
    const stored = await t.services.db.selectFrom('destinations').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(HMAC_SECRET);
    const sealed = await t.services.db.selectFrom('private_keys').select(['ciphertext', 'key_type']).execute();
    expect(sealed.filter((k) => k.key_type === 'secret:destination').length).toBeGreaterThanOrEqual(2);
    for (const k of sealed) expect(Buffer.from(k.ciphertext).toString('latin1')).not.toContain(HMAC_SECRET);
    expect((await t.api('POST', `/api/v1/destinations/${full.id}/test`)).json).toMatchObject({ ok: true });
    const cert = await issue('hook.example.com', { destinations: [full.id, link.id] });
    expect(cert.deployments.map((d: any) => d.status)).toEqual(['success', 'success']);
    const [first, second] = hook.received.slice(-2).map((r) => ({ ...r, json: JSON.parse(r.body) }));
    expect(first!.signatureOk && second!.signatureOk).toBe(true);
    expect(first!.json.certificate.serial).toBe(cert.serial);
    const leaf = new X509Certificate(first!.json.certificate.certificatePem);
    const pub = createPublicKey(createPrivateKey(first!.json.privateKeyPem)).export({ format: 'der', type: 'spki' });
    expect(Buffer.compare(pub, leaf.publicKey.export({ format: 'der', type: 'spki' }))).toBe(0);
    expect(second!.json.privateKeyPem).toBeUndefined();
    const { url, token } = second!.json.keyRetrieval;
    expect(url).toBe(`${t.url}/api/v1/key-links`);
    const redeem = () =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    const got = await redeem();
    expect(got.status).toBe(200);
    expect(await got.text()).toBe(first!.json.privateKeyPem);
    expect((await redeem()).status).toBe(404);
    const reads = await t.api(
      'GET',
      `/api/v1/audit-events?action=certificate.read-key&targetType=certificate&targetId=${cert.id}`,
    );
    const actors = reads.json.items.map((e: any) => e.actor);
    expect(actors).toContain('user:admin'); // the bundle webhook's key, read for the deployment
    expect(actors.some((a: string) => a.startsWith('key-link:'))).toBe(true);
  });

  it('reports each failing destination and still deploys to the others', async () => {
    const dir = fs.mkdtempSync(path.join(w.dir, 'ok-'));
    const good = await create('good-dir', 'directory', { path: dir });
    const closed = await create(
      'refused',
      'webhook',
      { url: `http://127.0.0.1:${await freePort()}/x` },
      { hmacSecret: HMAC_SECRET },
    );
    const meta = await create(
      'metadata',
      'webhook',
      { url: 'http://169.254.169.254/latest' },
      { hmacSecret: HMAC_SECRET },
    );
    const nowhere = await create(
      'nowhere',
      'webhook',
      { url: 'http://no-such-host.invalid/x' },
      { hmacSecret: HMAC_SECRET },
    );
    const wrongSecret = await create(
      'bad-secret',
      'webhook',
      { url: hook.url },
      { hmacSecret: 'another-secret-0123456789' },
    );
    const cert = await issue('many.example.com');
    const ids = [closed.id, meta.id, good.id, nowhere.id, wrongSecret.id];
    const r = await t.api('POST', `/api/v1/certificates/${cert.id}/deploy`, { destinations: ids });
    expect(r.status, r.text).toBe(200);
    const by = Object.fromEntries(r.json.items.map((d: any) => [d.destination, d]));
    expect(by['good-dir'].status).toBe('success');
    expect(by.refused).toMatchObject({ status: 'failed' });
    expect(by.refused.error).toMatch(/ECONNREFUSED/);
    expect(by.metadata.error).toMatch(/169\.254\.169\.254, a link-local address/);
    expect(by.nowhere.error).toMatch(/no-such-host\.invalid/);
    expect(by['bad-secret']).toMatchObject({ status: 'failed', error: 'the receiver refused it' });
    expect(by['bad-secret'].output).toContain('HTTP 401');
    expect(fs.existsSync(path.join(dir, 'many.example.com.key'))).toBe(true);
    const tested = await t.api('POST', `/api/v1/destinations/${meta.id}/test`);
    expect(tested.json).toMatchObject({ ok: false });
  });

  it('deploys a certificate held for approval when a reviewer approves it', async () => {
    const dir = fs.mkdtempSync(path.join(w.dir, 'held-'));
    const dest = await create('held-dir', 'directory', { path: dir });
    expect((await t.api('POST', '/api/v1/domains', { name: 'vault.example.com', sensitive: true })).status).toBe(201);
    const held = await t.api('POST', '/api/v1/certificates', {
      authorityId: inter.id,
      commonName: 'kms.vault.example.com',
      destinations: [dest.id],
    });
    expect(held.status, held.text).toBe(202);
    expect(fs.readdirSync(dir)).toEqual([]);
    const reviewer = await t.userToken(`reviewer-${dialect}`, ['security']);
    const approved = await t.api('POST', `/api/v1/requests/${held.json.request.id}/approve`, {}, reviewer);
    expect(approved.status, approved.text).toBe(200);
    const deployed = await t.api('GET', `/api/v1/certificates/${approved.json.certificateId}/deployments`);
    expect(deployed.json.items).toMatchObject([
      { destinationId: dest.id, status: 'success', deployedBy: `user:reviewer-${dialect}` },
    ]);
    expect(fs.existsSync(path.join(dir, 'kms.vault.example.com.key'))).toBe(true);
  });

  it('refuses an unknown destination before issuing, and keeps destinations with history', async () => {
    const before = (await t.api('GET', '/api/v1/certificates')).json.items.length;
    const r = await t.api('POST', '/api/v1/certificates', {
      authorityId: inter.id,
      commonName: 'n.example.com',
      destinations: [99999],
    });
    expect(r.status, r.text).toBe(400);
    expect(r.json.error.details.field).toBe('destinations[0]');
    expect((await t.api('GET', '/api/v1/certificates')).json.items.length).toBe(before);
    const used = (await t.api('GET', '/api/v1/destinations')).json.items.find((d: any) => d.name === 'good-dir');
    expect((await t.api('DELETE', `/api/v1/destinations/${used.id}`)).status).toBe(409);
    const unused = await create('unused', 'directory', { path: '/tmp' });
    expect(
      (await t.api('PATCH', `/api/v1/destinations/${unused.id}`, { options: { layout: 'pem' } })).json.options.layout,
    ).toBe('pem');
    expect((await t.api('DELETE', `/api/v1/destinations/${unused.id}`)).status).toBe(204);
  });
});
