import { describe, expect, it } from 'vitest';
import { expandTargets, MAX_TARGETS } from './targets.ts';

describe('expandTargets', () => {
  it('reads hosts, ports, IPv6, ranges and SNI prefixes', () => {
    expect(expandTargets(['www.example.com', '10.0.0.1:8443', '[2001:db8::1]:444', 'api@10.0.0.2'], [443], [])).toEqual(
      [
        { host: 'www.example.com', port: 443, serverName: 'www.example.com' },
        { host: '10.0.0.1', port: 8443 },
        { host: '2001:db8::1', port: 444 },
        { host: '10.0.0.2', port: 443, serverName: 'api' },
      ],
    );
    const range = expandTargets(['192.0.2.10/30:8443'], [443], []);
    expect(range.map((t) => `${t.host}:${t.port}`)).toEqual([
      '192.0.2.8:8443',
      '192.0.2.9:8443',
      '192.0.2.10:8443',
      '192.0.2.11:8443',
    ]);
  });

  it('scans each port of the list, and each server name, for targets without their own', () => {
    const out = expandTargets(['10.0.0.1', 'x@10.0.0.2'], [443, 8443], ['a.example', 'b.example']);
    expect(out.map((t) => `${t.serverName}@${t.host}:${t.port}`)).toEqual([
      'a.example@10.0.0.1:443',
      'b.example@10.0.0.1:443',
      'a.example@10.0.0.1:8443',
      'b.example@10.0.0.1:8443',
      'x@10.0.0.2:443',
      'x@10.0.0.2:8443',
    ]);
  });

  it('names the entry and the fix for every bad form', () => {
    const bad = (t: string) => () => expandTargets(['ok.example', t], [443], []);
    expect(bad('10.0.0.0/8')).toThrow(/\/8 is too wide/);
    expect(bad('10.0.0.0/33')).toThrow(/not an IPv4 range/);
    expect(bad('2001:db8::/120')).toThrow(/IPv6 ranges are not scanned/);
    expect(bad('host:0')).toThrow(/'0' is not a port/);
    expect(bad('exa mple.com')).toThrow(/neither an IP address nor a DNS name/);
    expect(bad('bad name@10.0.0.1')).toThrow(/not a DNS name to send as SNI/);
    let thrown: unknown;
    try {
      bad('a:b:c')();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({
      field: 'options.targets[1]',
      message: "'a:b:c' is not host, host:port or a CIDR range",
    });
  });

  it(`refuses more than ${MAX_TARGETS} scans`, () => {
    expect(() => expandTargets(['10.0.0.0/16', '10.1.0.0/16'], [443], [])).toThrow(/more than 65536 scans/);
  });
});
