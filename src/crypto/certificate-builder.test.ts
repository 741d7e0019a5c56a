import { X509Certificate as PeculiarCertificate } from '@peculiar/x509';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { buildCertificate, randomSerial } from './certificate-builder.ts';
import { generateKeyPair } from './keys.ts';
import { certificateText, issue, makeRoot, openssl, tempDir, validity, verifyChain } from './testing.ts';
import type { CertificateSpec, KeyType } from './types.ts';

const dir = tempDir();
afterAll(() => dir.remove());

const LEAF: Partial<CertificateSpec> = {
  subject: {
    commonName: 'www.example.com',
    organization: 'Acme Ünïcode',
    country: 'US',
    emailAddress: 'ops@example.com',
  },
  sans: {
    dns: ['www.example.com', 'api.example.com'],
    ip: ['10.1.2.3', '2001:db8::1'],
    email: ['ops@example.com'],
    uri: ['spiffe://example.com/service/web'],
  },
  keyUsages: ['digitalSignature', 'keyEncipherment'],
  extendedKeyUsages: ['serverAuth', '1.3.6.1.5.5.7.3.2'],
  crlDistributionPoints: ['http://crl.example.com/intermediate.crl'],
  ocspUrls: ['http://ocsp.example.com'],
  // 1.3.6.1.4.1.99999.1 with a UTF8String "hello" as its value
  extraExtensions: [
    { oid: '1.3.6.1.4.1.99999.1', valueBase64: Buffer.from('0c0568656c6c6f', 'hex').toString('base64') },
  ],
};

async function chain(type: KeyType) {
  const root = await makeRoot(type, {
    nameConstraints: {
      permittedDns: ['example.com'],
      permittedIp: ['10.0.0.0/8', '2001:db8::/32'],
      permittedEmail: ['example.com'],
      excludedDns: ['forbidden.example.com'],
    },
  });
  const intermediate = await issue(root, type, {
    subject: { commonName: `Intermediate ${type}`, organization: 'Tarsier Tests' },
    basicConstraints: { ca: true, pathLength: 0 },
    keyUsages: ['keyCertSign', 'cRLSign'],
  });
  const leaf = await issue(intermediate, type, LEAF);
  return { root, intermediate, leaf };
}

describe('buildCertificate', () => {
  it.each<KeyType>(['ec-p256', 'ec-p384', 'rsa-2048', 'ed25519'])(
    'builds a %s root -> intermediate -> leaf chain that openssl verifies with -x509_strict',
    async (type) => {
      const { root, intermediate, leaf } = await chain(type);
      const result = verifyChain(dir, root, intermediate, leaf);
      expect(result.output).toContain('leaf.pem: OK');
      expect(result.ok).toBe(true);

      const text = certificateText(dir, leaf);
      expect(text).toContain('Version: 3 (0x2)');
      expect(text).toContain('Subject: C = US, O = Acme \\C3\\9C');
      expect(text).toMatch(/Issuer: O = Tarsier Tests, CN = Intermediate/);
      expect(text).toContain(
        'DNS:www.example.com, DNS:api.example.com, IP Address:10.1.2.3, IP Address:2001:DB8:0:0:0:0:0:1, email:ops@example.com, URI:spiffe://example.com/service/web',
      );
      expect(text).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature, Key Encipherment\n/);
      expect(text).toMatch(/Extended Key Usage: \n\s+TLS Web Server Authentication, TLS Web Client Authentication\n/);
      expect(text).toContain('URI:http://crl.example.com/intermediate.crl');
      expect(text).toContain('OCSP - URI:http://ocsp.example.com');
      expect(text).toMatch(/1\.3\.6\.1\.4\.1\.99999\.1: \n\s+\.\.hello/);
      expect(text).not.toContain('Basic Constraints'); // a leaf gets it only when asked
      const expectedAlgorithm = {
        'ec-p256': 'ecdsa-with-SHA256',
        'ec-p384': 'ecdsa-with-SHA384',
        'rsa-2048': 'sha256WithRSAEncryption',
        ed25519: 'ED25519',
      }[type as string];
      expect(text).toContain(`Signature Algorithm: ${expectedAlgorithm}`);

      const interText = certificateText(dir, intermediate);
      expect(interText).toMatch(/Basic Constraints: critical\n\s+CA:TRUE, pathlen:0\n/);
      expect(interText).toMatch(/Key Usage: critical\n\s+Certificate Sign, CRL Sign\n/);
      const rootText = certificateText(dir, root);
      expect(rootText).toMatch(/Basic Constraints: critical\n\s+CA:TRUE, pathlen:1\n/);
      expect(rootText).toMatch(
        /Name Constraints: critical\n\s+Permitted:\n\s+DNS:example.com\n\s+IP:10.0.0.0\/255.0.0.0\n\s+IP:2001:DB8:0:0:0:0:0:0\/FFFF:FFFF:0:0:0:0:0:0\n\s+email:example.com\n\s+Excluded:\n\s+DNS:forbidden.example.com\n/,
      );

      // A second, independent parser agrees, and the signatures verify with WebCrypto.
      const parsedLeaf = new PeculiarCertificate(leaf.der);
      const parsedInter = new PeculiarCertificate(intermediate.der);
      expect(parsedLeaf.issuer).toBe(parsedInter.subject);
      expect(parsedLeaf.subject).toContain('CN=www.example.com');
      expect(parsedLeaf.extensions.map((e) => e.type)).toContain('1.3.6.1.4.1.99999.1');
      if (type !== 'ed25519')
        expect(await parsedLeaf.verify({ publicKey: parsedInter.publicKey, signatureOnly: true })).toBe(true);
    },
  );

  it('builds an rsa-3072 chain that verifies', async () => {
    const root = await makeRoot('rsa-3072');
    const leaf = await issue(root, 'ec-p256', { sans: { dns: ['a.example.net'] }, keyUsages: ['digitalSignature'] });
    expect(verifyChain(dir, root, undefined, leaf).ok).toBe(true);
  });

  it('makes the issuer the signer subject byte for byte and AKI the signer SKI', async () => {
    const root = await makeRoot('ec-p256');
    const leaf = await issue(root, 'ec-p256', { sans: { dns: ['x.example.com'] } });
    const rootText = certificateText(dir, root);
    const leafText = certificateText(dir, leaf);
    const ski = /Subject Key Identifier: \n\s+([0-9A-F:]+)/.exec(rootText)?.[1];
    expect(ski).toBeDefined();
    expect(leafText).toContain(`Authority Key Identifier: \n                ${ski}`);
    expect(rootText).toContain(`Authority Key Identifier: \n                ${ski}`); // self-signed: its own
    const rootSubject = new PeculiarCertificate(root.der).subjectName.toArrayBuffer();
    const leafIssuer = new PeculiarCertificate(leaf.der).issuerName.toArrayBuffer();
    expect(Buffer.from(leafIssuer).equals(Buffer.from(rootSubject))).toBe(true);
  });

  it('computes the SKI as SHA-1 of the public key bits, as openssl does (RFC 5280 method 1)', async () => {
    const root = await makeRoot('ec-p256');
    // The last 65 bytes of a P-256 SPKI are the point; openssl dgst over them gives the identifier.
    const point = root.keys.publicKey.export({ type: 'spki', format: 'der' }).subarray(-65);
    const expected = openssl(['dgst', '-sha1', '-r', dir.write('point.bin', point)])
      .split(' ')[0]!
      .toUpperCase();
    expect(certificateText(dir, root).replace(/:/g, '')).toContain(expected);
  });

  it('rejects a leaf outside the root name constraints (openssl enforces what we encoded)', async () => {
    const { root, intermediate } = await chain('ec-p256');
    for (const sans of [{ dns: ['www.other.org'] }, { dns: ['a.forbidden.example.com'] }, { ip: ['192.168.1.1'] }]) {
      const leaf = await issue(intermediate, 'ec-p256', { subject: { commonName: 'x.example.com' }, sans });
      const result = verifyChain(dir, root, intermediate, leaf);
      expect(result.ok).toBe(false);
      expect(result.output).toMatch(/subtree violation|excluded subtree/);
    }
  });

  it('encodes subject attributes in order with the string types RFC 5280 asks for', async () => {
    const root = await makeRoot('ec-p256');
    const leaf = await issue(root, 'ec-p256', {
      subject: {
        commonName: 'cn',
        organization: 'o',
        organizationalUnit: 'ou',
        country: 'FR',
        state: 'st',
        locality: 'l',
        emailAddress: 'e@example.com',
        serialNumber: 'SN-1',
      },
    });
    const text = openssl(['x509', '-noout', '-subject', '-in', dir.write('s.pem', leaf.pem)]);
    expect(text.trim()).toBe(
      'subject=C = FR, ST = st, L = l, O = o, OU = ou, CN = cn, emailAddress = e@example.com, serialNumber = SN-1',
    );
    const asn1 = openssl(['asn1parse', '-inform', 'DER', '-in', dir.write('s.der', leaf.der)]);
    const subjectPart = asn1.slice(asn1.lastIndexOf(':countryName'));
    expect(subjectPart).toMatch(/:countryName\n.*PRINTABLESTRING\s+:FR/);
    expect(subjectPart).toMatch(/:commonName\n.*UTF8STRING\s+:cn/);
    expect(subjectPart).toMatch(/:emailAddress\n.*IA5STRING\s+:e@example.com/);
    expect(subjectPart).toMatch(/:serialNumber\n.*PRINTABLESTRING\s+:SN-1/);
  });

  it('uses UTCTime before 2050 and GeneralizedTime from 2050', async () => {
    const root = await makeRoot('ec-p256');
    const leaf = await issue(root, 'ec-p256', {
      notBefore: new Date('2049-12-31T23:59:59Z'),
      notAfter: new Date('2050-01-01T00:00:00Z'),
    });
    const asn1 = openssl(['asn1parse', '-inform', 'DER', '-in', dir.write('t.der', leaf.der)]);
    expect(asn1).toMatch(/UTCTIME\s+:491231235959Z/);
    expect(asn1).toMatch(/GENERALIZEDTIME\s+:20500101000000Z/);
  });

  it('honours signatureHash and keeps the serial', async () => {
    const root = await makeRoot('ec-p256');
    const serial = Uint8Array.from([0x01, 0x02, 0x03, 0xff]);
    const leaf = await issue(root, 'ed25519', { serial, signatureHash: 'sha512' });
    const text = certificateText(dir, leaf);
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA512');
    expect(text).toContain('Serial Number: 16909311 (0x10203ff)');
    expect(verifyChain(dir, root, undefined, leaf).ok).toBe(true);
  });

  it('marks the SAN critical when the subject is empty, and openssl accepts it', async () => {
    const root = await makeRoot('ec-p256');
    const leaf = await issue(root, 'ec-p256', { subject: {}, sans: { dns: ['empty-subject.example.com'] } });
    expect(certificateText(dir, leaf)).toMatch(/Subject Alternative Name: critical\n\s+DNS:empty-subject.example.com/);
    expect(verifyChain(dir, root, undefined, leaf).ok).toBe(true);
  });

  it('emits CA:FALSE for a leaf when basicConstraints is given', async () => {
    const root = await makeRoot('ec-p256');
    const leaf = await issue(root, 'ec-p256', { basicConstraints: { ca: false } });
    expect(certificateText(dir, leaf)).toMatch(/Basic Constraints: critical\n\s+CA:FALSE\n/);
  });

  it('rejects specs it cannot encode with a ValidationError naming the field', async () => {
    const root = await makeRoot('ec-p256');
    const cases: [Partial<CertificateSpec>, string][] = [
      [{ subject: { commonName: 'x', country: 'USA' } }, 'subject.country'],
      [{ sans: { ip: ['10.0.0.256'] } }, 'sans.ip[0]'],
      [{ sans: { dns: ['has space.example.com'] } }, 'sans.dns[0]'],
      [{ serial: Uint8Array.of(0x80, 1) }, 'serial'],
      [{ serial: new Uint8Array(21).fill(1) }, 'serial'],
      [{ serial: Uint8Array.of(0) }, 'serial'],
      [{ extraExtensions: [{ oid: '2.5.29.17', valueBase64: 'MAA=' }] }, 'extraExtensions[0].oid'],
      [{ extraExtensions: [{ oid: '1.2.3', valueBase64: 'not base64!' }] }, 'extraExtensions[0].valueBase64'],
      [
        {
          extraExtensions: [
            { oid: '1.2.3', valueBase64: 'MAA=' },
            { oid: '1.2.3', valueBase64: 'MAA=' },
          ],
        },
        'extraExtensions[1].oid',
      ],
      [
        { nameConstraints: { permittedIp: ['10.0.0.1/8'] }, basicConstraints: { ca: true } },
        'nameConstraints.permittedIp[0]',
      ],
      [{ basicConstraints: { ca: false, pathLength: 1 } }, 'basicConstraints.pathLength'],
      [{ keyUsages: ['signEverything' as never] }, 'keyUsages[0]'],
      [{ notAfter: new Date(0) }, 'notAfter'],
      [{ subject: {} }, 'subject'],
    ];
    for (const [spec, field] of cases) {
      const attempt = issue(root, 'ec-p256', spec);
      await expect(attempt).rejects.toBeInstanceOf(ValidationError);
      await expect(attempt).rejects.toMatchObject({ field });
    }
  });

  it('refuses to sign with a key that is not the signer certificate key', async () => {
    const root = await makeRoot('ec-p256');
    const other = await generateKeyPair('ec-p256');
    const spec = { serial: randomSerial(), subject: { commonName: 'x' }, publicKey: other.publicKey, ...validity(1) };
    expect(() => buildCertificate(spec, { privateKey: other.privateKey, certificateDer: root.der })).toThrow(
      /does not belong/,
    );
    expect(() => buildCertificate(spec, { privateKey: root.keys.privateKey })).toThrow(/its own key/);
  });
});

describe('randomSerial', () => {
  it('gives 16-byte positive DER integers', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const serial = randomSerial();
      expect(serial.length).toBe(16);
      expect(serial[0]! & 0x80).toBe(0);
      expect(serial[0]).not.toBe(0);
      seen.add(Buffer.from(serial).toString('hex'));
    }
    expect(seen.size).toBe(2000);
  });
});
