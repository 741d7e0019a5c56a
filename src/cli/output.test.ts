import { describe, expect, it } from 'vitest';
import { importPayload } from './cert-files.ts';
import { formatFields, formatTable, formatTime } from './output.ts';

describe('formatTable', () => {
  it('pads every column but the last to its widest cell and shows empty cells as -', () => {
    expect(
      formatTable(
        ['ID', 'NAME', 'OWNER'],
        [
          [1, 'a.example.com', null],
          [10, 'b', 'ops'],
        ],
      ),
    ).toBe(['ID  NAME           OWNER', '1   a.example.com  -', '10  b              ops'].join('\n'));
  });
});

describe('formatFields', () => {
  it('aligns values and continues lists on the following lines', () => {
    expect(
      formatFields([
        ['ID', 7],
        ['SANs', ['DNS:a', 'DNS:b']],
        ['Labels', []],
      ]),
    ).toBe(['ID:     7', 'SANs:   DNS:a', '        DNS:b', 'Labels: -'].join('\n'));
  });
});

describe('formatTime', () => {
  it('shortens ISO timestamps to minutes in UTC', () => {
    expect(formatTime('2026-05-01T12:34:56.789Z')).toBe('2026-05-01 12:34 UTC');
    expect(formatTime(null)).toBeUndefined();
  });
});

describe('importPayload', () => {
  const binary = Buffer.from([0x30, 0x82, 0x01, 0x00, 0xff]);
  it('sends PEM text as pem, whatever the extension', () => {
    expect(importPayload('cert.crt', Buffer.from('-----BEGIN CERTIFICATE-----\nAA==\n'), undefined)).toEqual({
      pem: '-----BEGIN CERTIFICATE-----\nAA==\n',
    });
  });
  it('sends .p12/.pfx files, or binary with a password, as base64 pkcs12', () => {
    expect(importPayload('bundle.PFX', binary, undefined)).toEqual({ pkcs12: binary.toString('base64') });
    expect(importPayload('bundle.bin', binary, 'secret')).toEqual({ pkcs12: binary.toString('base64') });
  });
  it('sends other binary files as base64 der', () => {
    expect(importPayload('cert.cer', binary, undefined)).toEqual({ der: binary.toString('base64') });
  });
});
