import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { contextConstructed, objectIdentifier, octetString, sequence } from './der.ts';
import {
  buildOcspError,
  buildOcspResponse,
  certIdMatchesIssuer,
  decodeOcspGetPath,
  issuerHashes,
  OCSP_NOCHECK_EXTENSION,
  OcspMalformedError,
  type OcspResponseOptions,
  parseOcspRequest,
} from './ocsp.ts';
import { DAY, type Issued, issue, makeRoot, openssl, tempDir } from './testing.ts';
import type { KeyType } from './types.ts';

const dir = tempDir();
afterAll(() => dir.remove());

/** openssl's exit status and everything it printed (a failed check is a result here, not an exception). */
function run(args: string[]): { ok: boolean; output: string } {
  const r = spawnSync('openssl', args, { cwd: dir.path, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

const pem = (name: string, cert: Issued): string => dir.write(`${name}.pem`, cert.pem);

/** An OCSP request written by `openssl ocsp -reqout` for the given certificates of `ca`. */
function opensslRequest(ca: Issued, certs: Issued[], options: string[] = []): Uint8Array {
  const args = ['ocsp', ...options, '-issuer', pem('ca', ca), '-resp_text'];
  for (const [i, cert] of certs.entries()) args.push('-cert', pem(`leaf${i}`, cert));
  openssl([...args, '-reqout', join(dir.path, 'req.der')]);
  return new Uint8Array(readFileSync(join(dir.path, 'req.der')));
}

/** `openssl ocsp -respin` checking the response for `certs` (named leaf0.pem, leaf1.pem …) against `ca`. */
function opensslCheck(ca: Issued, certs: Issued[], response: Uint8Array, options: string[] = []) {
  const args = ['ocsp', ...options, '-respin', dir.write('resp.der', response), '-CAfile', pem('ca', ca)];
  args.push('-resp_text', '-issuer', pem('ca', ca));
  for (const [i, cert] of certs.entries()) args.push('-cert', pem(`leaf${i}`, cert));
  return run([...args, '-no_nonce']);
}

const now = () => new Date(Date.now() - 60_000);

describe('OCSP with openssl as the client', () => {
  let ca: Issued;
  let leaf: Issued;
  let other: Issued;
  let delegate: Issued;
  beforeAll(async () => {
    ca = await makeRoot('ec-p256');
    leaf = await issue(ca, 'ec-p256', { subject: { commonName: 'leaf' } });
    other = await issue(ca, 'ec-p256', { subject: { commonName: 'other' } });
    delegate = await issue(ca, 'ec-p256', {
      subject: { commonName: 'Test OCSP signer' },
      keyUsages: ['digitalSignature'],
      extendedKeyUsages: ['ocspSigning'],
      extraExtensions: [OCSP_NOCHECK_EXTENSION],
    });
  });

  function respond(
    request: Uint8Array,
    status: OcspResponseOptions['responses'][number]['status'],
    extra: Partial<OcspResponseOptions> = {},
  ) {
    const parsed = parseOcspRequest(request);
    return buildOcspResponse({
      status: 'successful',
      responderCertificateDer: ca.der,
      signerKey: ca.keys.privateKey,
      producedAt: now(),
      responses: parsed.requests.map((certId) => ({
        certId,
        status,
        thisUpdate: now(),
        nextUpdate: new Date(Date.now() + DAY),
      })),
      ...(parsed.nonce ? { nonce: parsed.nonce } : {}),
      ...extra,
    });
  }

  it('parses the CertID and nonce of an openssl request, matching the issuer hashes and the serial', () => {
    const parsed = parseOcspRequest(opensslRequest(ca, [leaf]));
    expect(parsed.requests).toHaveLength(1);
    const [id] = parsed.requests;
    expect(id!.hashAlgorithm).toBe('sha1');
    const serial = openssl(['x509', '-noout', '-serial', '-in', pem('x', leaf)])
      .trim()
      .replace('serial=', '');
    expect(id!.serialHex).toBe(serial.toLowerCase());
    const hashes = issuerHashes(ca.der, 'sha1');
    expect(id!.issuerNameHash.equals(hashes.nameHash)).toBe(true);
    expect(id!.issuerKeyHash.equals(hashes.keyHash)).toBe(true);
    expect(certIdMatchesIssuer(id!, ca.der)).toBe(true);
    expect(certIdMatchesIssuer(id!, other.der)).toBe(false);
    expect(parsed.nonce?.length).toBe(18); // OCTET STRING of openssl's 16 random bytes
  });

  it('reads SHA-256 CertIDs and requests without a nonce', () => {
    const parsed = parseOcspRequest(opensslRequest(ca, [leaf, other], ['-sha256', '-no_nonce']));
    expect(parsed.requests.map((r) => r.hashAlgorithm)).toEqual(['sha256', 'sha256']);
    expect(parsed.nonce).toBeUndefined();
    expect(parsed.requests.every((r) => certIdMatchesIssuer(r, ca.der))).toBe(true);
    const hashes = issuerHashes(ca.der, 'sha256');
    expect(parsed.requests[0]!.issuerKeyHash.equals(hashes.keyHash)).toBe(true);
    // issuerKeyHash covers the key's BIT STRING contents: openssl's own SHA-1 of it is the subject key identifier.
    const ski = openssl(['x509', '-noout', '-ext', 'subjectKeyIdentifier', '-in', pem('x', ca)]).split('\n')[1];
    expect(issuerHashes(ca.der, 'sha1').keyHash.toString('hex')).toBe(ski!.trim().replaceAll(':', '').toLowerCase());
  });

  it.each<KeyType>(['ec-p256', 'rsa-2048', 'ed25519'])('answers good, signed by a %s authority', async (type) => {
    const authority = type === 'ec-p256' ? ca : await makeRoot(type);
    const cert = type === 'ec-p256' ? leaf : await issue(authority, 'ec-p256', {});
    const request = opensslRequest(authority, [cert], ['-no_nonce']);
    const response = respond(request, 'good', {
      responderCertificateDer: authority.der,
      signerKey: authority.keys.privateKey,
    });
    const result = opensslCheck(authority, [cert], response);
    expect(result.output).toContain('Response verify OK');
    expect(result.output).toContain('leaf0.pem: good');
    expect(result.ok).toBe(true);
  });

  it('answers revoked with time and reason, and unknown', () => {
    const request = opensslRequest(ca, [leaf], ['-no_nonce']);
    const revokedAt = new Date(Date.UTC(2025, 2, 4, 5, 6, 7));
    const revoked = opensslCheck(ca, [leaf], respond(request, { revokedAt, reason: 'keyCompromise' }));
    expect(revoked.output).toContain('Response verify OK');
    expect(revoked.output).toContain('leaf0.pem: revoked');
    expect(revoked.output).toContain('Reason: keyCompromise');
    expect(revoked.output).toContain('Revocation Time: Mar  4 05:06:07 2025 GMT');
    const noReason = opensslCheck(ca, [leaf], respond(request, { revokedAt, reason: 'unspecified' }));
    expect(noReason.output).toContain('leaf0.pem: revoked');
    expect(noReason.output).not.toContain('Reason:');
    const unknown = opensslCheck(ca, [leaf], respond(request, 'unknown'));
    expect(unknown.output).toContain('leaf0.pem: unknown');
    expect(unknown.output).toContain('Response verify OK');
  });

  it('answers several CertIDs, echoing each CertID byte for byte', () => {
    const request = opensslRequest(ca, [leaf, other], ['-sha256', '-no_nonce']);
    const parsed = parseOcspRequest(request);
    const response = respond(request, 'good');
    for (const id of parsed.requests) expect(Buffer.from(response).includes(Buffer.from(id.der))).toBe(true);
    const result = opensslCheck(ca, [leaf, other], response, ['-sha256']);
    expect(result.output).toContain('leaf0.pem: good');
    expect(result.output).toContain('leaf1.pem: good');
    expect(result.output).toContain('Response verify OK');
  });

  it('echoes the nonce so that openssl checks it against its own request, and fails on another nonce', () => {
    const request = opensslRequest(ca, [leaf]);
    const args = [
      'ocsp',
      '-reqin',
      dir.write('req.der', request),
      '-CAfile',
      pem('ca', ca),
      '-issuer',
      pem('ca', ca),
      '-resp_text',
    ];
    const echoed = run([...args, '-respin', dir.write('resp.der', respond(request, 'good'))]);
    expect(echoed.output).toContain('OCSP Nonce');
    expect(echoed.output).toContain('Response verify OK');
    expect(echoed.output).not.toMatch(/Nonce Verify error|no nonce/);
    expect(echoed.ok).toBe(true);
    const otherNonce = Uint8Array.from([0x04, 0x10, ...new Array(16).fill(7)]);
    const wrong = run([...args, '-respin', dir.write('resp.der', respond(request, 'good', { nonce: otherNonce }))]);
    expect(wrong.output).toContain('Nonce Verify error');
    expect(wrong.ok).toBe(false);
  });

  it.each(['byKey', 'byName'] as const)('is accepted from a delegated OCSP signer (responder ID %s)', (responderId) => {
    const request = opensslRequest(ca, [leaf], ['-no_nonce']);
    const response = respond(request, 'good', {
      responderCertificateDer: delegate.der,
      signerKey: delegate.keys.privateKey,
      includeCertificates: [delegate.der],
      responderId,
    });
    const result = opensslCheck(ca, [leaf], response);
    expect(result.output).toContain('Response verify OK');
    expect(result.output).toContain('leaf0.pem: good');
    expect(result.output).toContain(responderId === 'byKey' ? 'Responder Id: ' : 'Responder Id: CN = Test OCSP signer');
    expect(openssl(['x509', '-noout', '-text', '-in', pem('d', delegate)])).toContain('OCSP No Check');
  });

  it('is refused by openssl when the delegated signer certificate is not included, or signed by another key', async () => {
    const request = opensslRequest(ca, [leaf], ['-no_nonce']);
    const missing = respond(request, 'good', {
      responderCertificateDer: delegate.der,
      signerKey: delegate.keys.privateKey,
    });
    expect(opensslCheck(ca, [leaf], missing).output).toContain('Response Verify Failure');
    // A certificate for 'other' (no ocspSigning EKU) may not answer for the authority.
    const impostor = respond(request, 'good', {
      responderCertificateDer: other.der,
      signerKey: other.keys.privateKey,
      includeCertificates: [other.der],
    });
    expect(opensslCheck(ca, [leaf], impostor).output).toContain('Response Verify Failure');
  });

  it.each(['malformedRequest', 'internalError', 'tryLater', 'sigRequired', 'unauthorized'] as const)(
    'builds the %s error response openssl reads',
    (status) => {
      const der = buildOcspError(status);
      const result = run(['ocsp', '-respin', dir.write('err.der', der), '-resp_text', '-noverify']);
      expect(result.output.toLowerCase()).toContain(`responder error: ${status.toLowerCase()}`);
    },
  );
});

describe('parseOcspRequest', () => {
  let valid: Uint8Array;
  beforeAll(async () => {
    const ca = await makeRoot('ec-p256');
    valid = opensslRequest(ca, [await issue(ca, 'ec-p256', {})]);
  });

  it.each([
    ['empty input', new Uint8Array(0)],
    ['garbage', Uint8Array.from(Buffer.from('GET / HTTP/1.1\r\n'))],
    ['a truncated request', () => valid.subarray(0, valid.length - 5)],
    ['trailing bytes', () => Uint8Array.from([...valid, 0])],
    ['an empty request list', Uint8Array.from([0x30, 0x04, 0x30, 0x02, 0x30, 0x00])],
    ['a NULL', Uint8Array.from([0x05, 0x00])],
    ['a nonce of 40 octets', () => withNonce(valid, 40)],
  ])('throws OcspMalformedError for %s', (_, input) => {
    const bytes = typeof input === 'function' ? input() : input;
    let error: unknown;
    try {
      parseOcspRequest(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OcspMalformedError);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/^ocspRequest: /);
  });

  it('accepts a 32-octet nonce', () => {
    expect(parseOcspRequest(withNonce(valid, 32)).nonce?.length).toBe(34);
  });
});

/** A request for the first CertID of `request` with a nonce of `length` octets (RFC 8954 allows 1 to 32). */
function withNonce(request: Uint8Array, length: number): Uint8Array {
  const certId = parseOcspRequest(request).requests[0]!.der;
  const nonce = sequence(objectIdentifier('1.3.6.1.5.5.7.48.1.2'), octetString(octetString(new Uint8Array(length))));
  return sequence(sequence(sequence(sequence(certId)), contextConstructed(2, sequence(nonce))));
}

describe('decodeOcspGetPath', () => {
  const der = Uint8Array.from([0x30, 0x03, 0xfb, 0xff, 0xbf, 0x3e, 0x01]); // base64 MAP7/78+AQ== has '/' and '+'
  const base64 = Buffer.from(der).toString('base64');

  it.each([
    ['URL-encoded', encodeURIComponent(base64)],
    ['unescaped', base64],
    ['with a leading slash', `/${base64}`],
    ['without padding', base64.replace(/=+$/, '')],
    ['with + turned into a space', base64.replace('+', ' ')],
    ['in base64url', Buffer.from(der).toString('base64url')],
  ])('decodes the request %s', (_, path) => {
    expect(Buffer.from(decodeOcspGetPath(path)).equals(der)).toBe(true);
  });

  it.each([['%zz'], [''], ['!!!!'], ['A']])('throws OcspMalformedError for %j', (path) => {
    expect(() => decodeOcspGetPath(path)).toThrow(OcspMalformedError);
  });
});
