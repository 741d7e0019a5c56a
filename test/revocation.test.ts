// Revocation for Tarsier's own CAs, checked with openssl over real HTTP on SQLite and PostgreSQL: certificates
// name the CRL and OCSP URLs; `openssl ocsp` gets good, then revoked with the reason; the CRL verifies and makes
// `openssl verify -crl_check` fail; shards, deltas, delegated and CA signers, and malformed requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/cli/server.ts';
import { loadServerConfig } from '../src/config.ts';
import { createCaPair } from './harness/authorities.ts';
import { testDialects } from './harness/databases.ts';
import { type Workdir, workdir } from './harness/openssl.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

describe.each(testDialects())('revocation on %s', (dialect) => {
  let t: RunningTarsier;
  let w: Workdir;
  let root: any;
  let inter: any;

  beforeAll(async () => {
    t = await startTarsier({ dialect });
    w = workdir();
    ({ root, inter } = await createCaPair(t, w, 'Revocation', { publicBaseUrl: t.url }));
  });
  afterAll(async () => {
    await t?.stop();
    w?.remove();
  });

  const issue = async (cn: string, authorityId = inter.id) => {
    const res = await t.api('POST', '/api/v1/certificates', { authorityId, commonName: cn });
    expect(res.status, res.text).toBe(201);
    return res.json;
  };
  const ocsp = (cert: string, issuer = 'inter.pem', authorityId = inter.id, verify = ['-CAfile', 'root.pem']) =>
    w.opensslAsync([
      'ocsp',
      '-issuer',
      issuer,
      '-cert',
      cert,
      '-url',
      `${t.url}/ocsp/${authorityId}`,
      ...verify,
      '-resp_text',
    ]);
  const fetchCrl = async (name: string) => {
    const res = await fetch(`${t.url}/crl/${name}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pkix-crl');
    w.write(`${name}.der`, Buffer.from(await res.arrayBuffer()));
    return w.openssl(['crl', '-inform', 'DER', '-in', `${name}.der`, '-out', `${name}.pem`]);
  };

  it('puts the CRL distribution point and the OCSP URL into issued certificates', async () => {
    expect(inter.crlUrls).toEqual([`${t.url}/crl/${inter.id}.crl`]);
    expect(inter.ocspUrl).toBe(`${t.url}/ocsp/${inter.id}`);
    const c = await issue('urls.example.com');
    w.write('urls.pem', c.pem);
    const text = w.openssl(['x509', '-in', 'urls.pem', '-noout', '-text']);
    expect(text).toContain(`URI:${t.url}/crl/${inter.id}.crl`);
    expect(text).toContain(`OCSP - URI:${t.url}/ocsp/${inter.id}`);
  });

  it('answers good, then revoked with time and reason; the response verifies and echoes the nonce', async () => {
    const c = await issue('ocsp.example.com');
    w.write('leaf.pem', c.pem);
    const good = await ocsp('leaf.pem');
    expect(good).toContain('Response verify OK');
    expect(good).toContain('leaf.pem: good');
    expect(good).toMatch(/Responder Id: .*|Responder Id:/);
    expect(good).toContain('OCSP Nonce');
    const revoked = await t.api('POST', `/api/v1/certificates/${c.id}/revoke`, { reason: 'keyCompromise' });
    expect(revoked.status).toBe(200);
    const after = await ocsp('leaf.pem');
    expect(after).toContain('Response verify OK');
    expect(after).toContain('leaf.pem: revoked');
    expect(after).toContain('Reason: keyCompromise');
    expect(after).toContain('Revocation Time');
  });

  it('publishes a CRL that openssl verifies and uses to reject the revoked certificate', async () => {
    const good = await issue('crl-good.example.com');
    const bad = await issue('crl-bad.example.com');
    w.write('good.pem', good.pem);
    w.write('bad.pem', bad.pem);
    await t.api('POST', `/api/v1/certificates/${bad.id}/revoke`, { reason: 'superseded' });
    await fetchCrl(`${inter.id}.crl`);
    const verified = w.tryOpenssl(['crl', '-in', `${inter.id}.crl.pem`, '-CAfile', 'inter.pem', '-noout', '-verify']);
    expect(verified).toEqual({ status: 0, output: 'verify OK\n' });
    const text = w.openssl(['crl', '-in', `${inter.id}.crl.pem`, '-noout', '-text']);
    expect(text).toContain('X509v3 CRL Number');
    expect(text).toContain('X509v3 Authority Key Identifier');
    expect(text).toContain('Next Update');
    expect(text).toContain(`Serial Number: ${bad.serial.toUpperCase()}`);
    expect(text).toContain('Superseded');
    const rejected = w.tryOpenssl([
      'verify',
      '-crl_check',
      '-CAfile',
      'root.pem',
      '-untrusted',
      'inter.pem',
      '-CRLfile',
      `${inter.id}.crl.pem`,
      'bad.pem',
    ]);
    expect(rejected.status).not.toBe(0);
    expect(rejected.output).toContain('certificate revoked');
    const accepted = w.openssl([
      'verify',
      '-crl_check',
      '-CAfile',
      'root.pem',
      '-untrusted',
      'inter.pem',
      '-CRLfile',
      `${inter.id}.crl.pem`,
      'good.pem',
    ]);
    expect(accepted).toContain('good.pem: OK');
    await fetchCrl(`${inter.id}-delta.crl`);
    expect(w.openssl(['crl', '-in', `${inter.id}-delta.crl.pem`, '-noout', '-text'])).toContain('Delta CRL Indicator');
  });

  it('answers unknown for a certificate of another authority, and malformedRequest for garbage', async () => {
    const other = await issue('other.example.com', root.id);
    w.write('other.pem', other.pem);
    // The responder of another authority may not vouch for this one's certificates: openssl would refuse its
    // signature, so only the status is read here.
    expect(await ocsp('other.pem', 'root.pem', inter.id, ['-noverify'])).toContain('other.pem: unknown');
    const res = await fetch(`${t.url}/ocsp/${inter.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/ocsp-request' },
      body: 'garbage',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/ocsp-response');
    w.write('bad-resp.der', Buffer.from(await res.arrayBuffer()));
    expect(w.tryOpenssl(['ocsp', '-respin', 'bad-resp.der', '-resp_text', '-noverify']).output.toLowerCase()).toContain(
      'malformedrequest',
    );
    const getBad = await fetch(`${t.url}/ocsp/${inter.id}/not%20base64!!`);
    w.write('bad-get.der', Buffer.from(await getBad.arrayBuffer()));
    expect(w.tryOpenssl(['ocsp', '-respin', 'bad-get.der', '-resp_text', '-noverify']).output.toLowerCase()).toContain(
      'malformedrequest',
    );
  });

  it('answers GET requests (RFC 6960 A.1) with cache headers', async () => {
    const c = await issue('get.example.com');
    w.write('get.pem', c.pem);
    w.openssl(['ocsp', '-issuer', 'inter.pem', '-cert', 'get.pem', '-no_nonce', '-reqout', 'get-req.der']);
    const path = encodeURIComponent(w.read('get-req.der').toString('base64'));
    const res = await fetch(`${t.url}/ocsp/${inter.id}/${path}`);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    w.write('get-resp.der', Buffer.from(await res.arrayBuffer()));
    const { output: text } = w.tryOpenssl([
      'ocsp',
      '-respin',
      'get-resp.der',
      '-reqin',
      'get-req.der',
      '-issuer',
      'inter.pem',
      '-cert',
      'get.pem',
      '-CAfile',
      'root.pem',
      '-resp_text',
    ]);
    expect(text).toContain('Response verify OK');
    expect(text).toContain('get.pem: good');
  });

  it('signs with a delegated responder certificate by default, or with the CA when configured', async () => {
    const c = await issue('signer.example.com');
    w.write('signer.pem', c.pem);
    expect(await ocsp('signer.pem')).toContain('Revocation Issuing CA OCSP Responder');
    const patched = await t.api('PATCH', `/api/v1/authorities/${inter.id}`, { ocspSigner: 'ca' });
    expect(patched.status, patched.text).toBe(200);
    const byCa = await ocsp('signer.pem');
    expect(byCa).toContain('Response verify OK');
    expect(byCa).not.toContain('OCSP Responder');
    await t.api('PATCH', `/api/v1/authorities/${inter.id}`, { ocspSigner: 'delegated' });
  });

  it('partitions CRLs: each certificate names its shard, and a revocation lands in that shard only', async () => {
    const sharded = (
      await t.api('POST', '/api/v1/authorities', {
        name: 'Sharded',
        type: 'intermediate',
        parentId: root.id,
        subject: { commonName: 'Sharded CA' },
        publicBaseUrl: t.url,
        crlShards: 4,
      })
    ).json;
    expect(sharded.crlUrls).toHaveLength(4);
    w.write('sharded.pem', sharded.pem);
    const certs = await Promise.all(Array.from({ length: 6 }, (_, i) => issue(`s${i}.example.com`, sharded.id)));
    const victim = certs[0];
    w.write('victim.pem', victim.pem);
    const cdp = w.openssl(['x509', '-in', 'victim.pem', '-noout', '-ext', 'crlDistributionPoints']);
    const shard = Number(/\/crl\/\d+-(\d+)\.crl/.exec(cdp)![1]);
    await t.api('POST', `/api/v1/certificates/${victim.id}/revoke`, { reason: 'cessationOfOperation' });
    for (let s = 0; s < 4; s++) {
      await fetchCrl(`${sharded.id}-${s}.crl`);
      const text = w.openssl(['crl', '-in', `${sharded.id}-${s}.crl.pem`, '-noout', '-text']);
      expect(text).toContain('Issuing Distribution Point');
      expect(text.includes(victim.serial.toUpperCase())).toBe(s === shard);
    }
    const rejected = w.tryOpenssl([
      'verify',
      '-crl_check',
      '-CAfile',
      'root.pem',
      '-untrusted',
      'sharded.pem',
      '-CRLfile',
      `${sharded.id}-${shard}.crl.pem`,
      'victim.pem',
    ]);
    expect(rejected.output).toContain('certificate revoked');
  });

  it('runs the responder as its own process (tarsier ocsp) on the same database', async () => {
    const cfg = loadServerConfig({ dataDir: t.dataDir, port: 0, databaseUrl: t.databaseUrl, logLevel: 'silent' }, {});
    const responder = await startServer(cfg, () => {}, 'revocation');
    try {
      const c = await issue('separate.example.com');
      w.write('sep.pem', c.pem);
      const text = await w.opensslAsync([
        'ocsp',
        '-issuer',
        'inter.pem',
        '-cert',
        'sep.pem',
        '-url',
        `${responder.address}/ocsp/${inter.id}`,
        '-CAfile',
        'root.pem',
      ]);
      expect(text).toContain('sep.pem: good');
      expect((await fetch(`${responder.address}/api/v1/certificates`)).status).toBe(404);
    } finally {
      await responder.stop();
    }
  });
});
