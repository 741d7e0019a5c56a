// How Tarsier's requests become CFSSL's JSON: hosts, profile choice, serials and reason names, auth tokens.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { IssueRequest } from '../plugin.ts';
import { authenticate, isHexKey } from './auth.ts';
import { endpointUrl } from './client.ts';
import { signRequestFor } from './issue.ts';
import { cfsslReason, decimalSerial } from './revoke.ts';

const req = (over: Partial<IssueRequest> = {}): IssueRequest => ({
  csrPem: '-----BEGIN CERTIFICATE REQUEST-----\n…',
  commonName: 'a.example.test',
  dnsNames: ['a.example.test'],
  ipAddresses: ['192.0.2.1'],
  keyType: 'ec-p256',
  requestOptions: {},
  ...over,
});

describe('signRequestFor', () => {
  it('sends DNS names and IP addresses as hosts, and the issuer profile and label', () => {
    expect(signRequestFor(req(), { url: 'http://x', profile: 'server', label: 'primary' })).toEqual({
      certificate_request: req().csrPem,
      hosts: ['a.example.test', '192.0.2.1'],
      profile: 'server',
      label: 'primary',
    });
  });

  it('lets the per-certificate profile win, and leaves hosts out when there are none', () => {
    const body = signRequestFor(req({ dnsNames: [], ipAddresses: [], requestOptions: { profile: 'client' } }), {
      url: 'http://x',
      profile: 'server',
    });
    expect(body).toEqual({ certificate_request: req().csrPem, profile: 'client', label: '' });
  });
});

describe('revocation fields', () => {
  it('gives serials in decimal, as CFSSL stores big.Int.String()', () => {
    expect(decimalSerial('0a')).toBe('10');
    expect(decimalSerial('7F:FF')).toBe('32767');
    expect(decimalSerial('12f0089ba8652522bf82749b42bd2ea89ad3e2b0')).toBe(
      '108114762588366266294360264726166964753262699184',
    );
  });

  it("names reasons as CFSSL's ReasonStringToCode knows them", () => {
    expect(cfsslReason('keyCompromise')).toBe('keycompromise');
    expect(cfsslReason('removeFromCRL')).toBe('removefromcrl');
    expect(cfsslReason('aACompromise')).toBe('aacompromise');
  });
});

describe('authsign envelope', () => {
  it('signs exactly the bytes it sends, with the hex-decoded key', () => {
    const key = '00112233445566778899aabbccddeeff';
    const envelope = authenticate({ profile: 'authed' }, key);
    const bytes = Buffer.from(envelope.request, 'base64');
    expect(bytes.toString()).toBe('{"profile":"authed"}');
    const expected = createHmac('sha256', Buffer.from(key, 'hex')).update(bytes).digest('base64');
    expect(envelope.token).toBe(expected);
  });

  it('accepts only keys that Go hex-decodes', () => {
    expect(isHexKey('00aAfF')).toBe(true);
    expect(isHexKey('abc')).toBe(false);
    expect(isHexKey('zz')).toBe(false);
    expect(isHexKey('')).toBe(false);
  });
});

it('keeps a path prefix of the base URL', () => {
  expect(endpointUrl('https://pki.example.test/cfssl', 'info').href).toBe(
    'https://pki.example.test/cfssl/api/v1/cfssl/info',
  );
  expect(endpointUrl('http://127.0.0.1:8888/', 'sign').href).toBe('http://127.0.0.1:8888/api/v1/cfssl/sign');
});
