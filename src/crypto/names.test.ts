import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { formatCidr, formatIp, parseCidr, parseIp } from './ip.ts';
import {
  decodeName,
  encodeName,
  normalizeCidr,
  normalizeDnsName,
  normalizeEmail,
  normalizeIp,
  normalizeSubject,
} from './names.ts';
import { isPem, pemBlocks, toPem } from './pem.ts';

describe('ip', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['2001:db8::1', '2001:db8::1'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::', 'fe80::'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
  ])('reads %s and writes %s (RFC 5952)', (input, canonical) => {
    const bytes = parseIp(input);
    expect(bytes).toBeDefined();
    expect(formatIp(bytes!)).toBe(canonical);
  });

  it.each(['256.0.0.1', '1.2.3', '01.2.3.4', '1::2::3', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', 'example.com', '', ':::'])(
    'rejects %s',
    (input) => expect(parseIp(input)).toBeUndefined(),
  );

  it('reads CIDR networks and refuses host bits', () => {
    expect(formatCidr(parseCidr('10.0.0.0/8')!)).toBe('10.0.0.0/8');
    expect(formatCidr(parseCidr('2001:db8::/32')!)).toBe('2001:db8::/32');
    expect(formatCidr(parseCidr('192.0.2.7')!)).toBe('192.0.2.7/32');
    expect(parseCidr('10.0.0.1/8')).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
  });
});

describe('names', () => {
  it('round-trips NameFields and renders RFC 4514 with escaping, last RDN first', () => {
    const der = encodeName({ commonName: 'a, b+c', organization: 'Acme', country: 'US' });
    const decoded = decodeName(der);
    expect(decoded.fields).toEqual({ commonName: 'a, b+c', organization: 'Acme', country: 'US' });
    expect(decoded.dn).toBe('CN=a\\, b\\+c, O=Acme, C=US');
  });

  it('validates while encoding', () => {
    expect(() => encodeName({ country: 'Germany' })).toThrow(ValidationError);
    expect(() => encodeName({ serialNumber: 'a_b' })).toThrow(/subject.serialNumber/);
    expect(() => encodeName({ commonName: '' })).toThrow(/subject.commonName: is empty/);
  });

  it('normalizes user input', () => {
    expect(normalizeSubject({ commonName: ' x ', country: 'de', organization: '  ' })).toEqual({
      commonName: 'x',
      country: 'DE',
    });
    expect(normalizeDnsName('WWW.Example.COM.', 'f')).toBe('www.example.com');
    expect(normalizeDnsName('*.Example.com', 'f')).toBe('*.example.com');
    expect(normalizeDnsName('bücher.example', 'f')).toBe('xn--bcher-kva.example');
    expect(() => normalizeDnsName('a.*.example.com', 'sans.dns[0]')).toThrow(
      /sans.dns\[0\]: 'a.\*.example.com' is not a valid DNS name/,
    );
    expect(() => normalizeDnsName('-bad.example.com', 'f')).toThrow(ValidationError);
    expect(normalizeEmail('Alice@Example.COM', 'f')).toBe('Alice@example.com');
    expect(() => normalizeEmail('no-at-sign', 'f')).toThrow(ValidationError);
    expect(normalizeIp('2001:DB8:0::1', 'f')).toBe('2001:db8::1');
    expect(normalizeCidr('10.0.0.0/8', 'f')).toBe('10.0.0.0/8');
    expect(() => normalizeCidr('10.0.0.1/8', 'f')).toThrow(/host bits/);
  });
});

describe('pem', () => {
  it('round-trips and finds every block, skipping text around and headers inside', () => {
    const a = Uint8Array.from({ length: 100 }, (_, i) => i);
    const text = `Bag Attributes\n${toPem(a, 'CERTIFICATE')}junk\n${toPem(Uint8Array.of(1), 'PKCS7')}`;
    expect(toPem(a, 'X').split('\n')[1]).toHaveLength(64);
    expect(isPem(text)).toBe(true);
    expect(isPem('MIIB')).toBe(false);
    const blocks = pemBlocks(text);
    expect(blocks.map((b) => b.label)).toEqual(['CERTIFICATE', 'PKCS7']);
    expect(Buffer.from(blocks[0]!.der)).toEqual(Buffer.from(a));
  });

  it('rejects broken blocks with ValidationError', () => {
    expect(() => pemBlocks('-----BEGIN A-----\nAA!A\n-----END A-----', 'f')).toThrow(
      /f: the A PEM block is not valid base64/,
    );
    expect(() => pemBlocks('-----BEGIN A-----\nAAAA\n-----END B-----', 'f')).toThrow(ValidationError);
  });
});
