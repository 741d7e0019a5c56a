// Issuance end to end over real HTTP, on SQLite and PostgreSQL: authorities, defaults, every option, CSRs,
// policy refusals; every certificate checked by `openssl verify -x509_strict` and `openssl x509 -text`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from './harness/databases.ts';
import { type Workdir, workdir } from './harness/openssl.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

describe.each(testDialects())('issuance on %s', (dialect) => {
  let t: RunningTarsier;
  let w: Workdir;
  let root: any;
  let inter: any;

  beforeAll(async () => {
    t = await startTarsier({ dialect });
    w = workdir();
    root = (
      await t.api('POST', '/api/v1/authorities', {
        name: 'Test Root',
        type: 'root',
        subject: { commonName: 'Tarsier Test Root', organization: 'Acme', country: 'us' },
        keyType: 'ec-p384',
        pathLength: 1,
        owner: 'pki-team',
      })
    ).json;
    inter = (
      await t.api('POST', '/api/v1/authorities', {
        name: 'Test Issuing',
        type: 'intermediate',
        parentId: root.id,
        subject: { commonName: 'Tarsier Test Issuing CA', organization: 'Acme' },
        keyType: 'rsa-2048',
        pathLength: 0,
        nameConstraints: { permittedDns: ['example.com', 'example.org'], excludedDns: ['secret.example.com'] },
      })
    ).json;
    w.write('root.pem', root.pem);
    w.write('inter.pem', inter.pem);
  });
  afterAll(async () => {
    await t?.stop();
    w?.remove();
  });

  const verify = (pem: string, name = 'leaf.pem') => {
    w.write(name, pem);
    return w.openssl(['verify', '-x509_strict', '-CAfile', 'root.pem', '-untrusted', 'inter.pem', name]);
  };

  it('creates a root and an intermediate that openssl accepts as a chain', async () => {
    expect(root.id).toBeGreaterThan(0);
    expect(root.subjectDn).toContain('CN=Tarsier Test Root');
    expect(root.keyType).toBe('ec-p384');
    expect(inter.parentId).toBe(root.id);
    expect(w.openssl(['verify', '-x509_strict', '-CAfile', 'root.pem', 'inter.pem'])).toContain('inter.pem: OK');
    const text = w.openssl(['x509', '-in', 'inter.pem', '-noout', '-text']);
    expect(text).toContain('CA:TRUE, pathlen:0');
    expect(text).toMatch(/Permitted:\s+DNS:example.com\s+DNS:example.org/);
    const chain = await t.api('GET', `/api/v1/authorities/${inter.id}/chain`);
    expect(chain.headers.get('content-type')).toContain('application/x-pem-file');
    expect(chain.text.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    const shown = await t.api('GET', `/api/v1/authorities/${inter.id}`);
    expect(shown.json.chainIds).toEqual([inter.id, root.id]);
    expect(shown.json.extensions.map((e: any) => e.name)).toContain('nameConstraints');
    const list = await t.api('GET', '/api/v1/authorities');
    expect(list.json.items.map((a: any) => a.name)).toEqual(['Test Root', 'Test Issuing']);
  });

  it('issues with sane defaults: P-256, CN in SANs, serverAuth, digitalSignature, 397 days', async () => {
    const res = await t.api('POST', '/api/v1/certificates', { authorityId: inter.id, commonName: 'www.example.com' });
    expect(res.status).toBe(201);
    const c = res.json;
    expect(c.pem).toContain('BEGIN CERTIFICATE');
    expect(c.pem).not.toContain('PRIVATE KEY');
    expect(verify(c.pem)).toContain('OK');
    const text = w.openssl(['x509', '-in', 'leaf.pem', '-noout', '-text']);
    expect(text).toContain('ASN1 OID: prime256v1');
    expect(text).toContain('DNS:www.example.com');
    expect(text).toContain('TLS Web Server Authentication');
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\s/);
    expect(text).toContain('X509v3 Subject Key Identifier');
    expect(text).toContain('X509v3 Authority Key Identifier');
    const days = (Date.parse(c.notAfter) - Date.parse(c.notBefore)) / 86_400_000;
    expect(Math.round(days)).toBe(397);
    expect(c.keyType).toBe('ec-p256');
    expect(c.hasKey).toBe(true);
    expect(c.status).toBe('valid');
    expect(c.serial).toBe(
      w.openssl(['x509', '-in', 'leaf.pem', '-noout', '-serial']).trim().split('=')[1]!.toLowerCase(),
    );
  });

  it('honours every option an advanced user can set', async () => {
    const ext = Buffer.from('0c0b68656c6c6f20776f726c64', 'hex').toString('base64'); // UTF8String "hello world"
    const res = await t.api('POST', '/api/v1/certificates', {
      authorityId: inter.id,
      commonName: 'api.example.org',
      subject: { organization: 'Acme Payments', organizationalUnit: 'SRE', country: 'DE', locality: 'Berlin' },
      sans: {
        dns: ['api2.example.org', '*.api.example.org'],
        ip: ['10.1.2.3', '2001:db8::1'],
        email: ['ops@example.org'],
        uri: ['spiffe://example.org/api'],
      },
      keyType: 'rsa-3072',
      validityDays: 30,
      keyUsages: ['digitalSignature', 'keyEncipherment'],
      extendedKeyUsages: ['serverAuth', 'clientAuth', '1.3.6.1.4.1.55555.2'],
      signatureHash: 'sha384',
      extraExtensions: [{ oid: '1.3.6.1.4.1.55555.1', critical: false, valueBase64: ext }],
      owner: 'payments',
      description: 'API gateway',
      labels: { env: 'prod' },
      notify: false,
    });
    expect(res.status, res.text).toBe(201);
    expect(verify(res.json.pem)).toContain('OK');
    const text = w.openssl(['x509', '-in', 'leaf.pem', '-noout', '-text']);
    expect(text).toContain('Public-Key: (3072 bit)');
    expect(text).toContain('sha384WithRSAEncryption');
    expect(text).toMatch(
      /Subject: C\s?=\s?DE, L\s?=\s?Berlin, O\s?=\s?Acme Payments, OU\s?=\s?SRE, CN\s?=\s?api.example.org/,
    );
    for (const s of [
      'DNS:api.example.org',
      'DNS:api2.example.org',
      'DNS:*.api.example.org',
      'IP Address:10.1.2.3',
      'IP Address:2001:DB8:0:0:0:0:0:1',
      'email:ops@example.org',
      'URI:spiffe://example.org/api',
    ]) {
      expect(text).toContain(s);
    }
    expect(text).toContain('TLS Web Server Authentication, TLS Web Client Authentication, 1.3.6.1.4.1.55555.2');
    expect(text).toMatch(/Digital Signature, Key Encipherment/);
    expect(text).toContain('1.3.6.1.4.1.55555.1');
    const days = (Date.parse(res.json.notAfter) - Date.parse(res.json.notBefore)) / 86_400_000;
    expect(Math.round(days)).toBe(30);
    expect(res.json).toMatchObject({
      owner: 'payments',
      description: 'API gateway',
      labels: { env: 'prod' },
      notify: false,
      keyType: 'rsa-3072',
    });
  });

  it('issues ed25519 and ec-p384 certificates and explicit validity dates', async () => {
    for (const keyType of ['ed25519', 'ec-p384']) {
      const res = await t.api('POST', '/api/v1/certificates', {
        authorityId: inter.id,
        commonName: `${keyType}.example.com`,
        keyType,
      });
      expect(res.status, res.text).toBe(201);
      expect(res.json.keyType).toBe(keyType);
      expect(verify(res.json.pem)).toContain('OK');
    }
    const notBefore = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d+Z$/, '.000Z');
    const notAfter = new Date(Date.now() + 10 * 86_400_000).toISOString().replace(/\.\d+Z$/, '.000Z');
    const res = await t.api('POST', '/api/v1/certificates', {
      authorityId: inter.id,
      commonName: 'dates.example.com',
      notBefore,
      notAfter,
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json.notBefore).toBe(notBefore);
    expect(res.json.notAfter).toBe(notAfter);
  });

  it("issues from an openssl CSR with that CSR's public key, storing no key", async () => {
    w.openssl([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'csr.key',
      '-out',
      'req.csr',
      '-subj',
      '/CN=csr.example.com',
      '-addext',
      'subjectAltName=DNS:csr.example.com,DNS:alt.example.com',
    ]);
    const res = await t.api('POST', '/api/v1/certificates', {
      authorityId: inter.id,
      csr: w.read('req.csr').toString(),
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json.hasKey).toBe(false);
    expect(res.json.sans.dns).toEqual(['csr.example.com', 'alt.example.com']);
    expect(verify(res.json.pem, 'csr-leaf.pem')).toContain('OK');
    const certKey = w.openssl(['x509', '-in', 'csr-leaf.pem', '-noout', '-pubkey']);
    const csrKey = w.openssl(['req', '-in', 'req.csr', '-noout', '-pubkey']);
    expect(certKey).toBe(csrKey);
    const exp = await t.api('POST', `/api/v1/certificates/${res.json.id}/export`, { format: 'pem', include: ['key'] });
    expect(exp.status).toBe(409);
    expect(exp.json.error.message).toContain('no stored private key');
  });

  it('refuses what the authority forbids, saying why', async () => {
    const cases: Array<[object, number, RegExp]> = [
      [{ commonName: 'www.example.net' }, 422, /outside the names authority 'Test Issuing' may certify/],
      [{ commonName: 'x.secret.example.com' }, 422, /excluded by authority 'Test Issuing'/],
      [{ commonName: 'long.example.com', validityDays: 800 }, 422, /at most 397 days/],
      [{ commonName: 'ca.example.com', basicConstraints: { ca: true } }, 422, /does not issue CA certificates/],
      [{ commonName: 'bad name.example.com' }, 400, /commonName|is not a valid DNS name/],
      [
        { commonName: 'a.example.com', sans: { dns: ['ok.example.com', 'exa mple.com'] } },
        400,
        /^sans\.dns\[1\]: 'exa mple\.com' is not a valid DNS name/,
      ],
      [{ commonName: 'a.example.com', sans: { ip: ['300.1.1.1'] } }, 400, /^sans\.ip\[0\]/],
      [{ commonName: 'a.example.com', keyType: 'rsa-1024' }, 400, /^keyType: must be one of: ec-p256/],
      [
        { commonName: 'a.example.com', extendedKeyUsages: ['serverAuthh'] },
        400,
        /extendedKeyUsages\[0\]: 'serverAuthh' is not a known usage/,
      ],
      [{ commonName: 'a.example.com', comonName: 'typo' }, 400, /^comonName: is not a known field/],
      [{ commonName: 'a.example.com', csr: 'not a csr' }, 400, /^csr: /],
      [
        { commonName: 'a.example.com', validityDays: 10, notAfter: '2030-01-01T00:00:00Z' },
        400,
        /either validityDays or notAfter/,
      ],
    ];
    for (const [body, status, message] of cases) {
      const res = await t.api('POST', '/api/v1/certificates', { authorityId: inter.id, ...body });
      expect(res.status, `${JSON.stringify(body)} -> ${res.text}`).toBe(status);
      expect(res.json.error.message).toMatch(message);
    }
    const missing = await t.api('POST', '/api/v1/certificates', { authorityId: 9999, commonName: 'a.example.com' });
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ code: 'not_found', message: 'authority 9999 does not exist' });
  });

  it('refuses intermediates that break the path length or outlive the parent', async () => {
    const under0 = await t.api('POST', '/api/v1/authorities', {
      name: 'too deep',
      type: 'intermediate',
      parentId: inter.id,
      subject: { commonName: 'x' },
    });
    expect(under0.status).toBe(422);
    expect(under0.json.error.message).toContain('path length 0');
    const long = await t.api('POST', '/api/v1/authorities', {
      name: 'too long',
      type: 'intermediate',
      parentId: root.id,
      subject: { commonName: 'x' },
      validityDays: 20000,
    });
    expect(long.status).toBe(422);
    const dup = await t.api('POST', '/api/v1/authorities', {
      name: 'Test Root',
      type: 'root',
      subject: { commonName: 'x' },
    });
    expect(dup.status).toBe(409);
    const noParent = await t.api('POST', '/api/v1/authorities', {
      name: 'orphan',
      type: 'intermediate',
      subject: { commonName: 'x' },
    });
    expect(noParent.status).toBe(400);
    expect(noParent.json.error.message).toMatch(/^parentId: /);
  });
});
