// ACME HTTP-01 through a destination, for names served elsewhere: a real Pebble validates against a real nginx
// that serves a directory destination's web root (Tarsier does not listen on Pebble's HTTP-01 port); the token file
// is removed afterwards, the certificate chains to Pebble's root, and it is deployed once the order completes.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from './harness/databases.ts';
import { type RunningNginx, startNginx } from './harness/nginx.ts';
import { type Workdir, workdir } from './harness/openssl.ts';
import { type RunningPebble, startPebble } from './harness/pebble.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

describe.each(testDialects())('ACME HTTP-01 through a destination on %s', (dialect) => {
  let t: RunningTarsier;
  let pebble: RunningPebble;
  let nginx: RunningNginx;
  let w: Workdir;

  beforeAll(async () => {
    nginx = await startNginx();
    [pebble, t] = await Promise.all([
      startPebble({ httpPort: nginx.httpPort }),
      startTarsier({ dialect, settings: { pendingPollSeconds: '1', outboundAllow: 'loopback' } }),
    ]);
    w = workdir();
    w.write('root.pem', await pebble.rootPem());
  });
  afterAll(async () => {
    await Promise.all([t?.stop(), pebble?.stop()]);
    await nginx?.stop();
    w?.remove();
  });

  const acme = (extra: object) => ({
    directoryUrl: pebble.directoryUrl,
    termsOfServiceAgreed: true,
    caCertificates: pebble.tlsCaPem,
    ...extra,
  });
  const destination = async (name: string, plugin: string, options: object, secrets?: object) => {
    const r = await t.api('POST', '/api/v1/destinations', { name, plugin, options, secrets });
    expect(r.status, r.text).toBe(201);
    return r.json.id as number;
  };

  it('refuses a destination that cannot place HTTP-01 files, at issuer creation', async () => {
    const hook = await destination('hook', 'webhook', { url: 'http://127.0.0.1:9/' }, { hmacSecret: 'x'.repeat(20) });
    const noRoot = await destination('no-root', 'directory', { path: w.dir });
    for (const [id, message] of [
      [hook, 'cannot place HTTP-01 files'],
      [noRoot, 'has no options.webRoot'],
      [9999, 'destination 9999 does not exist'],
    ] as const) {
      const r = await t.api('POST', '/api/v1/issuers', {
        name: `bad-${id}`,
        plugin: 'acme',
        options: acme({ http01DestinationId: id }),
      });
      expect(r.status, r.text).toBe(400);
      expect(r.json.error.details.field).toBe('options.http01DestinationId');
      expect(r.json.error.message).toContain(message);
    }
  });

  it('Pebble validates the token nginx serves from the web root; the certificate is issued and deployed', async () => {
    const web = await destination('web-root', 'directory', {
      path: nginx.certDir,
      webRoot: nginx.webRoot,
      certFile: 'www.crt',
      chainFile: 'www.chain.crt',
      fullchainFile: 'www.fullchain.crt',
      keyFile: 'www.key',
      command: nginx.reloadCommand,
    });
    const issuer = await t.api('POST', '/api/v1/issuers', {
      name: 'pebble-via-nginx',
      plugin: 'acme',
      options: acme({ http01DestinationId: web }),
    });
    expect(issuer.status, issuer.text).toBe(201);
    const r = await t.api('POST', '/api/v1/certificates', {
      issuerId: issuer.json.id,
      commonName: 'shop.example.net',
      destinations: [web],
    });
    expect(r.status, r.text).toBe(202);
    let pending: any;
    for (let i = 0; i < 120; i++) {
      pending = (await t.api('GET', `/api/v1/pending-certificates/${r.json.pendingCertificate.id}`)).json;
      if (pending.status !== 'pending') break;
      await new Promise((res) => setTimeout(res, 250));
    }
    expect(pending.status, JSON.stringify(pending)).toBe('issued');
    const cert = (await t.api('GET', `/api/v1/certificates/${pending.certificateId}`)).json;
    w.write('leaf.pem', cert.pem);
    w.write('chain.pem', cert.chainPem);
    expect(
      w.openssl(['verify', '-x509_strict', '-CAfile', 'root.pem', '-untrusted', 'chain.pem', 'leaf.pem']),
    ).toContain('leaf.pem: OK');
    expect(fs.readdirSync(path.join(nginx.webRoot, '.well-known', 'acme-challenge'))).toEqual([]);
    // The pending certificate reads `issued` as soon as it is stored; the deployment follows in the same pass.
    let deployed: any[] = [];
    for (let i = 0; i < 100 && deployed.length === 0; i++) {
      if (i) await new Promise((res) => setTimeout(res, 100));
      deployed = (await t.api('GET', `/api/v1/certificates/${cert.id}/deployments`)).json.items;
    }
    expect(deployed).toMatchObject([{ destinationId: web, status: 'success', exitCode: 0, deployedBy: 'system' }]);
    w.write('deployed.pem', fs.readFileSync(path.join(nginx.certDir, 'www.crt')));
    expect(w.openssl(['x509', '-in', 'deployed.pem', '-noout', '-serial'])).toContain(cert.serial.toUpperCase());
  });
});
