// The `internal` issuer end to end, on SQLite and PostgreSQL: a Tarsier authority registered as an issuer, then
// certificates issued through it by issuerId that behave like the authority's own: they verify with openssl
// against its chain, honour the per-certificate X.509 options, obey its policy, name its CRL shard and OCSP
// responder, and are revoked there. Bad or closed authorities are refused when the issuer is created.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaPair } from './harness/authorities.ts';
import { testDialects } from './harness/databases.ts';
import { type Workdir, workdir } from './harness/openssl.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

describe.each(testDialects())('internal issuer on %s', (dialect) => {
  let t: RunningTarsier;
  let w: Workdir;
  let root: any;
  let inter: any;
  let issuerId: number;

  beforeAll(async () => {
    t = await startTarsier({ dialect });
    w = workdir();
    ({ root, inter } = await createCaPair(t, w, 'Internal', {
      pathLength: 0,
      maxCertificateValidityDays: 90,
      nameConstraints: { permittedDns: ['example.com'] },
      publicBaseUrl: t.url,
      crlShards: 2,
    }));
  });
  afterAll(async () => {
    await t?.stop();
    w?.remove();
  });

  const issue = (body: object) => t.api('POST', '/api/v1/certificates', { issuerId, ...body });
  const verify = (pem: string, name: string) => {
    w.write(name, pem);
    return w.openssl(['verify', '-x509_strict', '-CAfile', 'root.pem', '-untrusted', 'inter.pem', name]);
  };
  const text = (name: string) => w.openssl(['x509', '-in', name, '-noout', '-text']);
  const counts = async () => {
    const n = async (table: 'certificates' | 'pending_certificates' | 'private_keys') =>
      Number(
        (
          await t.services.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      certificates: await n('certificates'),
      pending: await n('pending_certificates'),
      keys: await n('private_keys'),
    };
  };

  it('lists the internal plugin with its settings and per-certificate options', async () => {
    const r = await t.api('GET', '/api/v1/issuers/plugins');
    expect(r.status).toBe(200);
    const internal = r.json.items.find((p: any) => p.type === 'internal');
    expect(internal.title).toBe('Tarsier authority');
    expect(Object.keys(internal.options.properties)).toEqual(['authorityId']);
    expect(internal.secrets.properties).toEqual({});
    expect(Object.keys(internal.requestOptions.properties)).toEqual(
      expect.arrayContaining(['keyUsages', 'extendedKeyUsages', 'signatureHash', 'extraExtensions', 'notAfter']),
    );
  });

  it('refuses a missing, unknown or closed authority at creation, naming options.authorityId, and stores nothing', async () => {
    const bad = (options: object) => t.api('POST', '/api/v1/issuers', { name: 'bad', plugin: 'internal', options });
    const unknown = await bad({ authorityId: 9999 });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.details.field).toBe('options.authorityId');
    expect(unknown.json.error.message).toMatch(/authority 9999 does not exist/);
    const missing = await bad({});
    expect(missing.status).toBe(400);
    expect(missing.json.error.details.field).toBe('options.authorityId');
    // An issuer cannot check the requester's roles, so it must not open a role-restricted authority to everyone.
    const restricted = await t.api('POST', '/api/v1/authorities', {
      name: 'Restricted',
      type: 'intermediate',
      parentId: root.id,
      subject: { commonName: 'Restricted CA' },
      allowedRoles: ['pki-admins'],
    });
    expect(restricted.status, restricted.text).toBe(201);
    const closed = await bad({ authorityId: restricted.json.id });
    expect(closed.status).toBe(400);
    expect(closed.json.error.details.field).toBe('options.authorityId');
    expect(closed.json.error.message).toMatch(/restricted to the roles pki-admins/);
    expect((await t.api('GET', '/api/v1/issuers')).json.items).toEqual([]);
  });

  it('registers an issuer for an authority', async () => {
    const r = await t.api('POST', '/api/v1/issuers', {
      name: 'internal-ca',
      plugin: 'internal',
      options: { authorityId: inter.id },
    });
    expect(r.status, r.text).toBe(201);
    expect(r.json.status).toBe('ready');
    expect(r.json.options).toEqual({ authorityId: inter.id });
    issuerId = r.json.id;
    const chain = await t.api('GET', `/api/v1/issuers/${issuerId}/chain`);
    expect(chain.status, chain.text).toBe(200);
    expect(chain.text).toBe(inter.pem + root.pem);
  });

  it("issues with a key Tarsier made; the certificate verifies and is the authority's, with its CRL shard and OCSP", async () => {
    const r = await issue({ commonName: 'www.example.com', sans: { dns: ['api.example.com'] }, owner: 'admin' });
    expect(r.status, r.text).toBe(201);
    expect(r.json.issuerId).toBe(issuerId);
    expect(r.json.authorityId).toBe(inter.id);
    expect(r.json.hasKey).toBe(true);
    expect(r.json.sans.dns).toEqual(['www.example.com', 'api.example.com']);
    expect(r.json.chainPem).toBe(inter.pem + root.pem);
    expect(verify(r.json.pem, 'leaf.pem')).toContain('leaf.pem: OK');
    const stored = await t.services.db
      .selectFrom('certificates')
      .select(['crl_shard', 'authority_id'])
      .where('id', '=', r.json.id)
      .executeTakeFirstOrThrow();
    expect([0, 1]).toContain(stored.crl_shard);
    const x = text('leaf.pem');
    expect(x).toContain(`URI:${t.url}/crl/${inter.id}-${stored.crl_shard}.crl`);
    expect(x).toContain(`OCSP - URI:${t.url}/ocsp/${inter.id}`);
    expect(x).toContain('TLS Web Server Authentication');
    expect(x).toMatch(/Not After : .*/);
    const days = (Date.parse(r.json.notAfter) - Date.parse(r.json.notBefore)) / 86_400_000;
    expect(Math.round(days)).toBe(90);
    const key = await t.api('POST', `/api/v1/certificates/${r.json.id}/export`, { format: 'pem', include: ['key'] });
    w.write('leaf.key', key.text);
    expect(w.openssl(['pkey', '-in', 'leaf.key', '-pubout'])).toBe(
      w.openssl(['x509', '-in', 'leaf.pem', '-noout', '-pubkey']),
    );
  });

  it("certifies the requester's CSR key and stores no key", async () => {
    w.openssl([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=csr.example.com',
      '-keyout',
      'csr.key',
      '-out',
      'csr.pem',
    ]);
    const r = await issue({ csr: w.read('csr.pem').toString() });
    expect(r.status, r.text).toBe(201);
    expect(r.json.hasKey).toBe(false);
    expect(r.json.commonName).toBe('csr.example.com');
    expect(verify(r.json.pem, 'csr-leaf.pem')).toContain('OK');
    expect(w.openssl(['pkey', '-in', 'csr.key', '-pubout'])).toBe(
      w.openssl(['x509', '-in', 'csr-leaf.pem', '-noout', '-pubkey']),
    );
  });

  it('honours the per-certificate X.509 options given as issuerOptions', async () => {
    const r = await issue({
      commonName: 'client.example.com',
      issuerOptions: {
        extendedKeyUsages: ['clientAuth'],
        keyUsages: ['digitalSignature', 'keyAgreement'],
        signatureHash: 'sha512',
        extraExtensions: [{ oid: '1.3.6.1.4.1.55555.1', valueBase64: 'DAVoZWxsbw==' }],
      },
    });
    expect(r.status, r.text).toBe(201);
    expect(verify(r.json.pem, 'client.pem')).toContain('client.pem: OK');
    const x = text('client.pem');
    expect(x).toMatch(/Extended Key Usage:\s+TLS Web Client Authentication\n/);
    expect(x).not.toContain('TLS Web Server Authentication');
    expect(x).toMatch(/Key Usage: critical\s+Digital Signature, Key Agreement/);
    expect(x).toContain('ecdsa-with-SHA512');
    expect(x).toContain('1.3.6.1.4.1.55555.1');
    expect(x).toContain('..hello');
    const typo = await issue({ commonName: 'x.example.com', issuerOptions: { keyUsage: ['digitalSignature'] } });
    expect(typo.status).toBe(400);
    expect(typo.json.error.details.field).toBe('issuerOptions.keyUsage');
    const eku = await issue({ commonName: 'x.example.com', issuerOptions: { extendedKeyUsages: ['nope'] } });
    expect(eku.status).toBe(400);
    expect(eku.json.error.details.field).toBe('issuerOptions.extendedKeyUsages[0]');
    expect(eku.json.error.message).toMatch(/'nope' is not a known usage/);
  });

  it("applies the authority's policy: refusals are 422 with the reason, and nothing is stored", async () => {
    const before = await counts();
    const outside = await issue({ commonName: 'www.example.net' });
    expect(outside.status).toBe(422);
    expect(outside.json.error.code).toBe('policy_violation');
    expect(outside.json.error.message).toMatch(
      /DNS name 'www.example.net' is outside the names authority 'Internal Issuing' may certify/,
    );
    const tooLong = await issue({ commonName: 'long.example.com', validityDays: 365 });
    expect(tooLong.status).toBe(422);
    expect(tooLong.json.error.message).toMatch(/at most 90 days; 365 were asked/);
    const tooLate = await issue({
      commonName: 'late.example.com',
      issuerOptions: { notAfter: new Date(Date.now() + 200 * 86_400_000).toISOString() },
    });
    expect(tooLate.status).toBe(422);
    expect(await counts()).toEqual(before);
  });

  it("revokes through the authority: the certificate's CRL shard lists it and OCSP says revoked", async () => {
    const c = (await issue({ commonName: 'revoke.example.com' })).json;
    w.write('gone.pem', c.pem);
    const ocsp = () =>
      w.opensslAsync([
        'ocsp',
        '-issuer',
        'inter.pem',
        '-cert',
        'gone.pem',
        '-url',
        `${t.url}/ocsp/${inter.id}`,
        '-CAfile',
        'root.pem',
        '-resp_text',
      ]);
    const good = await ocsp();
    expect(good).toContain('Response verify OK');
    expect(good).toContain('gone.pem: good');
    const r = await t.api('POST', `/api/v1/certificates/${c.id}/revoke`, { reason: 'keyCompromise' });
    expect(r.status, r.text).toBe(200);
    expect(r.json.status).toBe('revoked');
    const after = await ocsp();
    expect(after).toContain('Response verify OK');
    expect(after).toContain('gone.pem: revoked');
    expect(after).toContain('Reason: keyCompromise');
    const crlUrl = /URI:(\S+\.crl)/.exec(text('gone.pem'))![1]!;
    const res = await fetch(crlUrl);
    expect(res.status).toBe(200);
    w.write('shard.crl', Buffer.from(await res.arrayBuffer()));
    const crl = w.openssl(['crl', '-inform', 'DER', '-in', 'shard.crl', '-noout', '-text']);
    expect(crl).toContain(`Serial Number: ${c.serial.replaceAll(':', '').toUpperCase()}`);
    expect(crl).toContain('Key Compromise');
    expect((await t.api('POST', `/api/v1/certificates/${c.id}/revoke`, { reason: 'superseded' })).status).toBe(409);
  });

  it("rotates through the issuer with the same options; the new certificate is the authority's too", async () => {
    const old = (
      await issue({ commonName: 'rotate.example.com', issuerOptions: { extendedKeyUsages: ['clientAuth'] } })
    ).json;
    const r = await t.api('POST', `/api/v1/certificates/${old.id}/rotate`, {});
    expect(r.status, r.text).toBe(201);
    expect(r.json.replacesId).toBe(old.id);
    expect(r.json.issuerId).toBe(issuerId);
    expect(r.json.authorityId).toBe(inter.id);
    expect(r.json.serial).not.toBe(old.serial);
    expect(verify(r.json.pem, 'rotated.pem')).toContain('OK');
    expect(text('rotated.pem')).toContain('TLS Web Client Authentication');
  });
});
