// The RFC 2136 provider against a real BIND named: TSIG-signed updates add and remove TXT values (checked with
// dig, a tool nobody here wrote), validate() reaches the server, and wrong settings are refused naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDnsServer, startDnsServer } from '../../../../../test/harness/dns-server.ts';
import { freePort } from '../../../../../test/harness/slapd.ts';
import { IssuerConfigError } from '../../plugin.ts';
import { createRfc2136Provider } from './rfc2136.ts';

let dns: RunningDnsServer;
beforeAll(async () => {
  dns = await startDnsServer();
});
afterAll(async () => {
  await dns?.stop();
});

const settings = () => ({ server: dns.host, port: dns.port, zone: dns.zone, tsigKeyName: dns.tsigKeyName });

async function configError(p: Promise<unknown>): Promise<IssuerConfigError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(IssuerConfigError);
  return e as IssuerConfigError;
}

describe('rfc2136 DNS provider (real named)', () => {
  it('adds two TXT values at one name and removes them one at a time', async () => {
    const provider = createRfc2136Provider(settings(), { tsigSecret: dns.tsigSecret });
    await provider.validate();
    const name = `_acme-challenge.set-remove.${dns.zone}`;
    await provider.setTxt(name, 'first-value');
    await provider.setTxt(name, 'second-value');
    expect((await dns.dig(name, 'TXT')).sort()).toEqual(['"first-value"', '"second-value"']);
    await provider.removeTxt(name, 'first-value');
    expect(await dns.dig(name, 'TXT')).toEqual(['"second-value"']);
    await provider.removeTxt(name, 'second-value');
    await provider.removeTxt(name, 'second-value'); // already gone: not an error
    expect(await dns.dig(name, 'TXT')).toEqual([]);
  });

  it('refuses a wrong TSIG secret, naming secrets.tsigSecret', async () => {
    const provider = createRfc2136Provider(settings(), { tsigSecret: Buffer.alloc(32, 7).toString('base64') });
    const e = await configError(provider.validate());
    expect(e.field).toBe('secrets.tsigSecret');
    expect(e.message).toMatch(/BADSIG/);
    await expect(provider.setTxt(`_acme-challenge.x.${dns.zone}`, 'v')).rejects.toThrow(/BADSIG/);
    expect(await dns.dig(`_acme-challenge.x.${dns.zone}`, 'TXT')).toEqual([]);
  });

  it('refuses an unknown TSIG key name, an unreachable server and a zone the server does not serve', async () => {
    const unknownKey = createRfc2136Provider({ ...settings(), tsigKeyName: 'nobody' }, { tsigSecret: dns.tsigSecret });
    expect((await configError(unknownKey.validate())).field).toBe('options.dnsProvider.tsigKeyName');

    const closed = createRfc2136Provider({ ...settings(), port: await freePort() }, { tsigSecret: dns.tsigSecret });
    const e = await configError(closed.validate());
    expect(e.field).toBe('options.dnsProvider.server');
    expect(e.message).toMatch(/ECONNREFUSED/);

    const otherZone = createRfc2136Provider({ ...settings(), zone: 'example.org' }, { tsigSecret: dns.tsigSecret });
    expect((await configError(otherZone.validate())).field).toBe('options.dnsProvider.zone');
  });
});
