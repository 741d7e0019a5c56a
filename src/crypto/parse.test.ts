import { X509Certificate as PeculiarCertificate } from '@peculiar/x509';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { orderChain, parseCertificate, parseCertificates } from './parse.ts';
import { issue, makeRoot, openssl, opensslBytes, tempDir } from './testing.ts';

const dir = tempDir();
afterAll(() => dir.remove());

async function chain() {
  const root = await makeRoot('ec-p384');
  const intermediate = await issue(root, 'ec-p256', {
    subject: { commonName: 'Intermediate', organization: 'Tarsier Tests' },
    basicConstraints: { ca: true, pathLength: 0 },
    keyUsages: ['keyCertSign', 'cRLSign'],
  });
  const leaf = await issue(intermediate, 'rsa-2048', {
    subject: { commonName: 'www.example.com', organization: 'Acme' },
    sans: {
      dns: ['www.example.com'],
      ip: ['192.0.2.1', '2001:db8::1'],
      email: ['a@example.com'],
      uri: ['https://example.com/'],
    },
    keyUsages: ['digitalSignature', 'keyEncipherment'],
    extendedKeyUsages: ['serverAuth', '1.3.6.1.4.1.99999.7'],
    crlDistributionPoints: ['http://crl.example.com/i.crl'],
    ocspUrls: ['http://ocsp.example.com'],
  });
  return { root, intermediate, leaf };
}

describe('parseCertificate', () => {
  it('fills every field, agreeing with openssl and @peculiar/x509', async () => {
    const { root, intermediate, leaf } = await chain();
    const parsed = parseCertificate(leaf.der, 'certificate');
    const file = dir.write('leaf.pem', leaf.pem);
    const fingerprint = openssl(['x509', '-noout', '-fingerprint', '-sha256', '-in', file]).split('=')[1]!.trim();
    const sha1 = openssl(['x509', '-noout', '-fingerprint', '-sha1', '-in', file]).split('=')[1]!.trim();
    const serial = openssl(['x509', '-noout', '-serial', '-in', file]).split('=')[1]!.trim();
    expect(parsed.fingerprintSha256).toBe(fingerprint.replace(/:/g, '').toLowerCase());
    expect(parsed.fingerprintSha1).toBe(sha1.replace(/:/g, '').toLowerCase());
    expect(parsed.serial).toBe(serial.toLowerCase());
    expect(parsed.subjectDn).toBe('CN=www.example.com, O=Acme');
    expect(parsed.issuerDn).toBe('CN=Intermediate, O=Tarsier Tests');
    expect(parsed.subject).toEqual({ commonName: 'www.example.com', organization: 'Acme' });
    expect(parsed.commonName).toBe('www.example.com');
    expect(parsed.sans).toEqual({
      dns: ['www.example.com'],
      ip: ['192.0.2.1', '2001:db8::1'],
      email: ['a@example.com'],
      uri: ['https://example.com/'],
    });
    expect(parsed.keyType).toBe('rsa-2048');
    expect(parsed.signatureAlgorithm).toBe('ecdsa-with-SHA256');
    expect(parsed.isCa).toBe(false);
    expect(parsed.selfSigned).toBe(false);
    expect(parsed.keyUsages).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(parsed.extendedKeyUsages).toEqual(['serverAuth', '1.3.6.1.4.1.99999.7']);
    const peculiar = new PeculiarCertificate(leaf.der);
    expect(parsed.notBefore.getTime()).toBe(peculiar.notBefore.getTime());
    expect(parsed.notAfter.getTime()).toBe(peculiar.notAfter.getTime());
    expect(parsed.authorityKeyIdentifier).toBe(parseCertificate(intermediate.der, 'c').subjectKeyIdentifier);
    expect(parsed.pem).toBe(leaf.pem);
    expect(parsed.extensions.map((e) => [e.name, e.critical])).toEqual([
      ['keyUsage', true],
      ['extKeyUsage', false],
      ['subjectKeyIdentifier', false],
      ['authorityKeyIdentifier', false],
      ['subjectAltName', false],
      ['cRLDistributionPoints', false],
      ['authorityInfoAccess', false],
    ]);
    expect(parsed.extensions.find((e) => e.name === 'authorityInfoAccess')?.value).toBe(
      'OCSP - URI:http://ocsp.example.com',
    );

    const parsedRoot = parseCertificate(root.der, 'c');
    expect(parsedRoot).toMatchObject({ isCa: true, pathLength: 1, selfSigned: true, keyType: 'ec-p384' });
    expect(parsedRoot.subjectDn).toBe('CN=Test Root ec-p384, O=Tarsier Tests, C=DE');
    expect(parseCertificate(intermediate.der, 'c')).toMatchObject({ isCa: true, pathLength: 0, selfSigned: false });
  });

  it('reads certificates openssl made, with names and SANs our builder never writes', () => {
    const pem = openssl([
      'req',
      '-x509',
      '-newkey',
      'ed25519',
      '-nodes',
      '-keyout',
      '/dev/null',
      '-multivalue-rdn',
      '-subj',
      '/DC=com/DC=example/O=Acme, Inc./OU=a+OU=b/CN=x y',
      '-addext',
      'subjectAltName=DNS:a.example.com,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:u@example.com,dirName:dir_sect',
      '-config',
      dir.write('req.cnf', '[req]\ndistinguished_name=dn\n[dn]\n[dir_sect]\nCN=Dir Name\n'),
    ]);
    const [parsed] = parseCertificates(pem, 'certificate');
    const expected = openssl(['x509', '-noout', '-subject', '-nameopt', 'RFC2253'], undefined, pem).trim();
    // Same RDNs and escaping as openssl's RFC 2253 form (which also reverses the attributes inside an RDN).
    expect(expected).toBe('subject=CN=x y,OU=b+OU=a,O=Acme\\, Inc.,DC=example,DC=com');
    expect(parsed!.subjectDn).toBe('CN=x y, OU=a+OU=b, O=Acme\\, Inc., DC=example, DC=com');
    expect(parsed!.subject.organization).toBe('Acme, Inc.');
    expect(parsed!.sans.dns).toEqual(['a.example.com']);
    expect(parsed!.extensions.find((e) => e.name === 'subjectAltName')?.value).toBe(
      'DNS:a.example.com, otherName:1.3.6.1.4.1.311.20.2.3, dirName:CN=Dir Name',
    );
    expect(parsed!.keyType).toBe('ed25519');
    expect(parsed!.signatureAlgorithm).toBe('Ed25519');
    expect(parsed!.selfSigned).toBe(true);
  });

  it('turns non-certificates into a ValidationError', () => {
    for (const bytes of [new Uint8Array(0), Uint8Array.of(0x30, 0x03, 1, 2, 3), Uint8Array.of(0x30, 0x80)]) {
      expect(() => parseCertificate(bytes, 'certificate')).toThrow(ValidationError);
    }
  });
});

describe('parseCertificates', () => {
  it('accepts PEM bundles, PKCS#7 in PEM and DER, DER and base64 DER', async () => {
    const { root, intermediate, leaf } = await chain();
    const bundle = `${leaf.pem}\n${intermediate.pem}${root.pem}`;
    const bundleFile = dir.write('bundle.pem', bundle);
    const fingerprints = [leaf, intermediate, root].map((c) => parseCertificate(c.der, 'c').fingerprintSha256);
    const of = (list: { fingerprintSha256: string }[]) => list.map((c) => c.fingerprintSha256);

    expect(of(parseCertificates(bundle, 'f'))).toEqual(fingerprints);
    const p7Pem = openssl(['crl2pkcs7', '-nocrl', '-certfile', bundleFile]);
    expect(p7Pem).toContain('BEGIN PKCS7');
    expect(of(parseCertificates(p7Pem, 'f'))).toEqual(fingerprints);
    const p7Der = opensslBytes(['crl2pkcs7', '-nocrl', '-certfile', bundleFile, '-outform', 'DER']);
    expect(of(parseCertificates(p7Der, 'f'))).toEqual(fingerprints);
    expect(of(parseCertificates(leaf.der, 'f'))).toEqual([fingerprints[0]]);
    expect(of(parseCertificates(Buffer.from(leaf.der).toString('base64'), 'f'))).toEqual([fingerprints[0]]);
    expect(of(parseCertificates(new TextEncoder().encode(bundle), 'f'))).toEqual(fingerprints);
  });

  it.each([
    ['empty text', ''],
    ['empty bytes', new Uint8Array(0)],
    ['prose', 'this is not a certificate'],
    ['a private key', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'],
    ['random bytes', Uint8Array.of(0x30, 0x82, 0xff, 0xff, 0x01)],
    ['base64 of a non-certificate', Buffer.from('0c0568656c6c6f', 'hex').toString('base64')],
    ['PKCS#7 without SignedData', Buffer.from('300d06092a864886f70d010701a000', 'hex')],
  ])('rejects %s with a message saying what to send', (_name, input) => {
    expect(() => parseCertificates(input, 'chain')).toThrow(
      /^chain: is not a PEM or DER certificate or PKCS#7 bundle: .+/,
    );
  });

  it('rejects a truncated certificate inside a bundle, naming which one', async () => {
    const { root, leaf } = await chain();
    const cut = Buffer.from(leaf.der.subarray(0, leaf.der.length - 10)).toString('base64');
    const bundle = `${root.pem}-----BEGIN CERTIFICATE-----\n${cut}\n-----END CERTIFICATE-----\n`;
    expect(() => parseCertificates(bundle, 'chain')).toThrow(/chain/);
  });
});

describe('orderChain', () => {
  it('puts the leaf first and follows issuers, whatever the input order', async () => {
    const { root, intermediate, leaf } = await chain();
    const other = await makeRoot('ec-p256');
    const [r, i, l, o] = [root, intermediate, leaf, other].map((c) => parseCertificate(c.der, 'c'));
    const ordered = orderChain([r!, o!, i!, l!, i!]);
    expect(ordered.map((c) => c.subjectDn)).toEqual([l, i, r, o].map((c) => c!.subjectDn));
    expect(orderChain([])).toEqual([]);
    expect(orderChain([r!])).toEqual([r]);
  });
});
