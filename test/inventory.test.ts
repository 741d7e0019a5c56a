// The inventory over HTTP on SQLite and PostgreSQL: filters, search, sorting, keyset paging, revoke, rotate,
// archive, metadata updates; a row that cannot be parsed is flagged, never breaking a list.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from './harness/databases.ts';
import { type Workdir, workdir } from './harness/openssl.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

describe.each(testDialects())('inventory on %s', (dialect) => {
  let t: RunningTarsier;
  let w: Workdir;
  let a: any;
  let b: any;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    t = await startTarsier({ dialect });
    w = workdir();
    a = (
      await t.api('POST', '/api/v1/authorities', {
        name: 'A',
        type: 'root',
        subject: { commonName: 'Root A' },
        maxCertificateValidityDays: 800,
      })
    ).json;
    b = (
      await t.api('POST', '/api/v1/authorities', {
        name: 'B',
        type: 'root',
        subject: { commonName: 'Root B' },
        keyType: 'ed25519',
      })
    ).json;
    const plan: Array<[string, number, object]> = [
      ['alpha.shop.example.com', a.id, { owner: 'shop', validityDays: 10 }],
      ['beta.shop.example.com', a.id, { owner: 'shop', validityDays: 20, keyType: 'ec-p384' }],
      ['gamma.blog.example.org', a.id, { owner: 'blog', validityDays: 60 }],
      ['delta.blog.example.org', b.id, { owner: 'blog', validityDays: 100, labels: { env: 'prod' } }],
      ['epsilon.internal.test', b.id, { validityDays: 200, sans: { ip: ['10.9.8.7'] } }],
      ['zeta.internal.test', a.id, { validityDays: 700, keyType: 'ed25519' }],
    ];
    for (const [cn, authorityId, extra] of plan) {
      const res = await t.api('POST', '/api/v1/certificates', { authorityId, commonName: cn, ...extra });
      expect(res.status, res.text).toBe(201);
      ids[cn.split('.')[0]!] = res.json.id;
    }
  });
  afterAll(async () => {
    await t?.stop();
    w?.remove();
  });

  const names = async (query: string) => {
    const res = await t.api('GET', `/api/v1/certificates?${query}`);
    expect(res.status, res.text).toBe(200);
    return res.json.items.map((c: any) => c.commonName.split('.')[0]);
  };

  it('lists soonest-expiring first by default, and sorts by any offered key', async () => {
    expect(await names('')).toEqual(['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta']);
    expect(await names('sort=-notAfter')).toEqual(['zeta', 'epsilon', 'delta', 'gamma', 'beta', 'alpha']);
    expect(await names('sort=commonName')).toEqual(['alpha', 'beta', 'delta', 'epsilon', 'gamma', 'zeta']);
    expect((await names('sort=-createdAt'))[0]).toBe('zeta');
  });

  it('filters by owner, authority, key type, domain, expiry window and status', async () => {
    expect(await names('owner=shop')).toEqual(['alpha', 'beta']);
    expect(await names(`authorityId=${b.id}`)).toEqual(['delta', 'epsilon']);
    expect(await names('keyType=ec-p384')).toEqual(['beta']);
    expect(await names('keyType=ed25519')).toEqual(['zeta']);
    expect(await names('domain=blog.example.org')).toEqual(['gamma', 'delta']);
    expect(await names('expiringWithinDays=30')).toEqual(['alpha', 'beta']);
    expect(await names('status=valid&owner=blog')).toEqual(['gamma', 'delta']);
    expect(await names('status=expired')).toEqual([]);
  });

  it('searches names and SANs by substring, serials and fingerprints by prefix', async () => {
    expect(await names('q=shop')).toEqual(['alpha', 'beta']);
    expect(await names('q=EPSILON')).toEqual(['epsilon']);
    expect(await names('q=10.9.8')).toEqual(['epsilon']);
    expect(await names('q=ta')).toEqual(['beta', 'delta', 'zeta']); // two letters: still correct
    const alpha = (await t.api('GET', `/api/v1/certificates/${ids.alpha}`)).json;
    expect(await names(`q=${alpha.serial.slice(0, 16)}`)).toEqual(['alpha']);
    expect(await names(`q=${alpha.serial.toUpperCase().match(/../g).slice(0, 6).join(':')}`)).toEqual(['alpha']);
    expect(await names(`q=${alpha.fingerprintSha256.slice(0, 20)}`)).toEqual(['alpha']);
    expect(await names(`q=${alpha.fingerprintSha1.slice(0, 12)}`)).toEqual(['alpha']);
    expect(await names(`serial=${alpha.serial.toUpperCase().match(/../g).join(':')}`)).toEqual(['alpha']);
    expect(await names(`fingerprint=${alpha.fingerprintSha256}`)).toEqual(['alpha']);
    expect(await names(`fingerprint=${alpha.fingerprintSha1}`)).toEqual(['alpha']);
    expect(await names('q=no-such-name')).toEqual([]);
    expect(await names('q=100%25')).toEqual([]);
  });

  it('pages with a cursor, and counts on request', async () => {
    const seen: string[] = [];
    let cursor = '';
    for (let i = 0; i < 5; i++) {
      const res = await t.api(
        'GET',
        `/api/v1/certificates?limit=2&sort=-notAfter${cursor ? `&cursor=${cursor}` : ''}&total=true`,
      );
      expect(res.json.total).toBe(6);
      seen.push(...res.json.items.map((c: any) => c.commonName.split('.')[0]));
      if (!res.json.next) break;
      cursor = res.json.next;
    }
    expect(seen).toEqual(['zeta', 'epsilon', 'delta', 'gamma', 'beta', 'alpha']);
    const bad = await t.api('GET', '/api/v1/certificates?cursor=garbage');
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/^cursor: /);
    const badSort = await t.api('GET', '/api/v1/certificates?sort=size');
    expect(badSort.status).toBe(400);
    expect(badSort.json.error.message).toMatch(/^sort: must be one of/);
  });

  it('shows the parsed detail: subject, issuer, SANs, validity, key, extensions, fingerprints, chain', async () => {
    const d = (await t.api('GET', `/api/v1/certificates/${ids.epsilon}`)).json;
    expect(d.subject).toEqual({ commonName: 'epsilon.internal.test' });
    expect(d.issuerDn).toBe('CN=Root B');
    expect(d.sans).toEqual({ dns: ['epsilon.internal.test'], ip: ['10.9.8.7'], email: [], uri: [] });
    expect(d.keyType).toBe('ec-p256');
    expect(d.signatureAlgorithm).toBe('Ed25519');
    expect(d.extendedKeyUsages).toEqual(['serverAuth']);
    expect(d.keyUsages).toEqual(['digitalSignature']);
    expect(d.extensions.map((e: any) => e.name)).toEqual(
      expect.arrayContaining([
        'subjectAltName',
        'keyUsage',
        'extKeyUsage',
        'subjectKeyIdentifier',
        'authorityKeyIdentifier',
      ]),
    );
    expect(d.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(d.fingerprintSha1).toMatch(/^[0-9a-f]{40}$/);
    expect(d.chain).toEqual([expect.objectContaining({ subjectDn: 'CN=Root B', issuerDn: 'CN=Root B' })]);
    expect(d.problems).toEqual([]);
    expect((await t.api('GET', '/api/v1/certificates/424242')).status).toBe(404);
    expect((await t.api('GET', '/api/v1/certificates/abc')).status).toBe(400);
  });

  it('revokes with a reason, once', async () => {
    const r = await t.api('POST', `/api/v1/certificates/${ids.gamma}/revoke`, { reason: 'keyCompromise' });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ status: 'revoked', revocationReason: 'keyCompromise' });
    expect((await t.api('POST', `/api/v1/certificates/${ids.gamma}/revoke`, {})).status).toBe(409);
    const bad = await t.api('POST', `/api/v1/certificates/${ids.beta}/revoke`, { reason: 'because' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/^reason: must be one of: unspecified, keyCompromise/);
    expect(await names('status=revoked')).toEqual(['gamma']);
  });

  it('rotates: same parameters, new key, linked to the certificate it replaces', async () => {
    const old = (await t.api('GET', `/api/v1/certificates/${ids.delta}`)).json;
    const res = await t.api('POST', `/api/v1/certificates/${ids.delta}/rotate`);
    expect(res.status, res.text).toBe(201);
    const n = res.json;
    expect(n).toMatchObject({
      commonName: old.commonName,
      owner: 'blog',
      labels: { env: 'prod' },
      keyType: old.keyType,
      authorityId: b.id,
      replacesId: old.id,
    });
    expect(n.serial).not.toBe(old.serial);
    expect(Math.round((Date.parse(n.notAfter) - Date.parse(n.notBefore)) / 86_400_000)).toBe(100);
    w.write('old.pem', old.pem);
    w.write('new.pem', n.pem);
    expect(w.openssl(['x509', '-in', 'new.pem', '-noout', '-pubkey'])).not.toBe(
      w.openssl(['x509', '-in', 'old.pem', '-noout', '-pubkey']),
    );
    expect((await t.api('GET', `/api/v1/certificates/${ids.delta}`)).json.replacedById).toBe(n.id);
    const again = await t.api('POST', `/api/v1/certificates/${ids.delta}/rotate`);
    expect(again.status).toBe(409);
    expect(again.json.error.message).toContain(`rotate certificate ${n.id} instead`);
  });

  it('archives out of the default list but keeps the record searchable', async () => {
    const res = await t.api('POST', `/api/v1/certificates/${ids.alpha}/archive`);
    expect(res.status).toBe(200);
    expect(res.json.archivedAt).toBeTruthy();
    expect(await names('owner=shop')).toEqual(['beta']);
    expect(await names('owner=shop&archived=include')).toEqual(['alpha', 'beta']);
    expect(await names('q=alpha&archived=only')).toEqual(['alpha']);
    expect((await t.api('GET', `/api/v1/certificates/${ids.alpha}`)).status).toBe(200);
  });

  it('updates owner, description, labels and notify', async () => {
    const res = await t.api('PATCH', `/api/v1/certificates/${ids.zeta}`, {
      owner: 'infra',
      notify: false,
      labels: { tier: '1' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ owner: 'infra', notify: false, labels: { tier: '1' } });
    const events = (await t.api('GET', `/api/v1/certificates/${ids.zeta}`)).json.events.map((e: any) => e.action);
    expect(events).toEqual(['certificate.issue', 'certificate.update']);
  });

  it('flags a row whose stored certificate is corrupt without breaking the list', async () => {
    await sql`UPDATE certificates SET certificate_der = ${Buffer.from('not a certificate')}, labels = ${'{broken'} WHERE id = ${ids.epsilon}`.execute(
      t.services.db,
    );
    const list = await t.api('GET', `/api/v1/certificates?authorityId=${b.id}`);
    expect(list.status).toBe(200);
    const row = list.json.items.find((c: any) => c.id === ids.epsilon);
    expect(row.problems).toEqual(['the stored labels could not be read']);
    const d = await t.api('GET', `/api/v1/certificates/${ids.epsilon}`);
    expect(d.status).toBe(200);
    expect(d.json.problems.join(' ')).toMatch(/the certificate could not be parsed/);
  });
});
