import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { buildCrl, type CrlEntry, type CrlOptions, crlShardOf } from './crl.ts';
import { generateKeyPair } from './keys.ts';
import { toPem } from './pem.ts';
import { DAY, type Issued, issue, makeRoot, openssl, tempDir } from './testing.ts';
import type { KeyType } from './types.ts';

const dir = tempDir();
afterAll(() => dir.remove());

const NOW = new Date(Date.UTC(2030, 0, 15, 12, 0, 0));
const CDP = 'http://crl.example.com/root.crl';

/** openssl's exit status and everything it printed (verify failures are results here, not exceptions). */
function run(args: string[]): { ok: boolean; output: string } {
  const r = spawnSync('openssl', args, { cwd: dir.path, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

const serialOf = (cert: Issued): string =>
  openssl(['x509', '-noout', '-serial', '-in', dir.write('serial.pem', cert.pem)])
    .trim()
    .replace('serial=', '')
    .toLowerCase();

function crl(ca: Issued, extra: Partial<CrlOptions> = {}): Uint8Array {
  return buildCrl({
    issuerCertificateDer: ca.der,
    signerKey: ca.keys.privateKey,
    thisUpdate: new Date(Date.now() - 60_000),
    nextUpdate: new Date(Date.now() + 7 * DAY),
    crlNumber: 1n,
    entries: [],
    ...extra,
  });
}

function crlText(der: Uint8Array): string {
  return openssl(['crl', '-inform', 'DER', '-noout', '-text', '-in', dir.write('show.crl', der)]);
}

/** `openssl verify -crl_check` of leaf against ca and the given CRLs. */
function verifyWithCrls(ca: Issued, leaf: Issued, crls: Uint8Array[], extraArgs: string[] = []) {
  const args = ['verify', '-crl_check', ...extraArgs, '-CAfile', dir.write('ca.pem', ca.pem)];
  for (const [i, der] of crls.entries()) args.push('-CRLfile', dir.write(`crl${i}.pem`, toPem(der, 'X509 CRL')));
  return run([...args, dir.write('leaf.pem', leaf.pem)]);
}

describe('buildCrl', () => {
  let ca: Issued;
  let revoked: Issued;
  let good: Issued;
  beforeAll(async () => {
    ca = await makeRoot('ec-p256');
    revoked = await issue(ca, 'ec-p256', { subject: { commonName: 'revoked' }, crlDistributionPoints: [CDP] });
    good = await issue(ca, 'ec-p256', { subject: { commonName: 'good' }, crlDistributionPoints: [CDP] });
  });

  it('writes CRL number, authority key identifier, next update and entries with reasons that openssl shows', () => {
    const der = crl(ca, {
      thisUpdate: NOW,
      nextUpdate: new Date(NOW.getTime() + DAY),
      crlNumber: 4711n,
      entries: [
        { serialHex: '0a1b2c', revokedAt: NOW, reason: 'keyCompromise' },
        { serialHex: '80ff', revokedAt: NOW, reason: 'cessationOfOperation' }, // high bit: needs a 00 byte
        { serialHex: '000123', revokedAt: NOW, reason: 'unspecified' }, // leading zeros dropped
        { serialHex: 'ABCDEF', revokedAt: new Date(Date.UTC(2051, 5, 1)) }, // GeneralizedTime from 2050
      ],
    });
    const text = crlText(der);
    expect(text).toContain('Version 2 (0x1)');
    expect(text).toMatch(/CRL Number: \n\s+4711/);
    expect(text).toContain('X509v3 Authority Key Identifier');
    expect(text).toContain(
      openssl(['x509', '-noout', '-ext', 'subjectKeyIdentifier', '-in', dir.write('ca.pem', ca.pem)])
        .split('\n')[1]!
        .trim(),
    );
    expect(text).toContain('Last Update: Jan 15 12:00:00 2030 GMT');
    expect(text).toContain('Next Update: Jan 16 12:00:00 2030 GMT');
    expect(text).toMatch(
      /Serial Number: 0A1B2C\n\s+Revocation Date: Jan 15 12:00:00 2030 GMT\n[^\n]*\n[^\n]*\n\s+Key Compromise/,
    );
    expect(text).toMatch(/Serial Number: 80FF\n[^\n]*\n[^\n]*\n[^\n]*\n\s+Cessation Of Operation/);
    expect(text).toMatch(
      /Serial Number: 0123\n[^\n]*\n\s+Serial Number: ABCDEF\n\s+Revocation Date: Jun {2}1 00:00:00 2051 GMT/,
    );
    expect(text).not.toContain('Unspecified');
    // The serial with its high bit set is a positive INTEGER 00 80 FF, not a negative one.
    expect(Buffer.from(der).includes(Buffer.from('02030080ff', 'hex'))).toBe(true);
  });

  it.each<KeyType>(['ec-p256', 'ec-p384', 'rsa-2048', 'ed25519'])(
    'is signed so that openssl verifies it (%s)',
    async (type) => {
      const authority = type === 'ec-p256' ? ca : await makeRoot(type);
      const der = crl(authority, { entries: [{ serialHex: '01', revokedAt: NOW, reason: 'superseded' }] });
      const result = run([
        'crl',
        '-inform',
        'DER',
        '-noout',
        '-verify',
        '-in',
        dir.write('v.crl', der),
        '-CAfile',
        dir.write('ca.pem', authority.pem),
      ]);
      expect(result.output).toContain('verify OK');
      expect(result.ok).toBe(true);
    },
  );

  it('makes openssl verify -crl_check reject the revoked certificate and accept the good one', () => {
    const der = crl(ca, {
      entries: [{ serialHex: serialOf(revoked), revokedAt: new Date(Date.now() - 60_000), reason: 'keyCompromise' }],
    });
    const rejected = verifyWithCrls(ca, revoked, [der]);
    expect(rejected.output).toContain('certificate revoked');
    expect(rejected.ok).toBe(false);
    const accepted = verifyWithCrls(ca, good, [der]);
    expect(accepted.output).toContain('leaf.pem: OK');
    expect(accepted.ok).toBe(true);
  });

  it('builds an empty CRL without a revokedCertificates list that openssl accepts', () => {
    const der = crl(ca);
    expect(crlText(der)).toContain('No Revoked Certificates.');
    const result = verifyWithCrls(ca, good, [der]);
    expect(result.output).toContain('leaf.pem: OK');
  });

  it('marks a delta CRL with a critical Delta CRL Indicator that openssl applies with -use_deltas', () => {
    const full = crl(ca, { crlNumber: 10n, freshestCrlUris: ['http://crl.example.com/root-delta.crl'] });
    expect(crlText(full)).toMatch(/Freshest CRL:\s+Full Name:\s+URI:http:\/\/crl.example.com\/root-delta.crl/);
    const delta = crl(ca, {
      crlNumber: 11n,
      deltaBaseCrlNumber: 10n,
      entries: [
        { serialHex: serialOf(revoked), revokedAt: new Date(Date.now() - 60_000), reason: 'certificateHold' },
        { serialHex: 'abcd', revokedAt: NOW, reason: 'removeFromCRL' }, // released from hold since the base
      ],
    });
    const text = crlText(delta);
    expect(text).toContain('Remove From CRL');
    expect(text).toMatch(/X509v3 Delta CRL Indicator: critical\n\s+10/);
    expect(text).toContain('Certificate Hold');
    const rejected = verifyWithCrls(ca, revoked, [full, delta], ['-use_deltas']);
    expect(rejected.output).toContain('certificate revoked');
    expect(verifyWithCrls(ca, revoked, [full], ['-use_deltas']).ok).toBe(true);
  });

  it('names each shard of a partitioned CRL in a critical issuing distribution point that openssl matches', async () => {
    const shardUrl = (n: number) => `http://crl.example.com/shard-${n}.crl`;
    const leaf = await issue(ca, 'ec-p256', { crlDistributionPoints: [shardUrl(3)] });
    const entries = [{ serialHex: serialOf(leaf), revokedAt: new Date(Date.now() - 60_000) }];
    const own = crl(ca, { entries, issuingDistributionPoint: { uri: shardUrl(3), onlyContainsUserCerts: true } });
    const text = crlText(own);
    expect(text).toContain('X509v3 Issuing Distribution Point: critical');
    expect(text).toContain(`URI:${shardUrl(3)}`);
    expect(text).toContain('Only User Certificates');
    expect(verifyWithCrls(ca, leaf, [own]).output).toContain('certificate revoked');
    // Another shard's CRL does not cover this certificate: openssl will not use it.
    const other = crl(ca, { entries, issuingDistributionPoint: { uri: shardUrl(4) } });
    const result = verifyWithCrls(ca, leaf, [other]);
    expect(result.output).toContain('different CRL scope');
    expect(result.ok).toBe(false);
  });

  it('consumes a generator once and lists every entry', () => {
    function* rows(): Generator<CrlEntry> {
      for (let i = 1; i <= 500; i++) yield { serialHex: i.toString(16), revokedAt: NOW, reason: 'superseded' };
    }
    const text = crlText(crl(ca, { entries: rows() }));
    expect(text.match(/Serial Number:/g)).toHaveLength(500);
    expect(text.match(/Superseded/g)).toHaveLength(500);
  });

  it('builds a 100,000-entry CRL that openssl reads and verifies', () => {
    const entries = Array.from({ length: 100_000 }, (_, i) => ({
      serialHex: randomBytes(16).toString('hex'),
      revokedAt: new Date(NOW.getTime() - i * 1000),
      reason: i % 2 ? ('keyCompromise' as const) : undefined,
    }));
    entries[99_999]!.serialHex = '7e57ab1e';
    let started = performance.now();
    const der = crl(ca, { entries });
    const buildMs = performance.now() - started;
    started = performance.now();
    const path = dir.write('big.crl', der);
    const result = run([
      'crl',
      '-inform',
      'DER',
      '-noout',
      '-verify',
      '-in',
      path,
      '-CAfile',
      dir.write('ca.pem', ca.pem),
    ]);
    const text = run(['crl', '-inform', 'DER', '-noout', '-text', '-in', path]).output;
    console.info(
      `100k-entry CRL: built in ${buildMs.toFixed(0)} ms, ${der.length} bytes; openssl ${(performance.now() - started).toFixed(0)} ms`,
    );
    expect(result.output).toContain('verify OK');
    expect(text.match(/Serial Number:/g)).toHaveLength(100_000);
    expect(text).toContain('Serial Number: 7E57AB1E');
  });

  it('rejects bad input naming the field', async () => {
    const bad = (extra: Partial<CrlOptions>) => () => crl(ca, extra);
    const at = { revokedAt: NOW };
    expect(
      bad({
        entries: [
          { serialHex: '01', ...at },
          { serialHex: '0x12', ...at },
        ],
      }),
    ).toThrow(/entries\[1\]\.serialHex/);
    expect(bad({ entries: [{ serialHex: '', ...at }] })).toThrow(ValidationError);
    expect(bad({ entries: [{ serialHex: 'ff'.repeat(33), ...at }] })).toThrow(/20 octets/);
    expect(bad({ entries: [{ serialHex: '01', ...at, reason: 'lost' as never }] })).toThrow(/entries\[0\]\.reason/);
    expect(bad({ entries: [{ serialHex: '01', ...at, reason: 'removeFromCRL' }] })).toThrow(/only allowed in a delta/);
    expect(bad({ entries: [{ serialHex: '01', revokedAt: new Date(Number.NaN) }] })).toThrow(/entries\[0\]\.revokedAt/);
    expect(bad({ nextUpdate: new Date(0) })).toThrow(/nextUpdate/);
    expect(bad({ crlNumber: -1n })).toThrow(/crlNumber/);
    expect(bad({ crlNumber: 2n ** 160n })).toThrow(/20 octets/);
    expect(bad({ crlNumber: 5n, deltaBaseCrlNumber: 5n })).toThrow(/deltaBaseCrlNumber/);
    expect(bad({ crlNumber: 6n, deltaBaseCrlNumber: 5n, freshestCrlUris: ['http://x'] })).toThrow(/freshestCrlUris/);
    expect(bad({ issuingDistributionPoint: { uri: 'http://a b' } })).toThrow(/issuingDistributionPoint\.uri/);
    expect(bad({ signerKey: (await generateKeyPair('ec-p256')).privateKey })).toThrow(/signerKey: does not belong/);
    expect(bad({ issuerCertificateDer: Uint8Array.of(1, 2, 3) })).toThrow(/issuerCertificateDer/);
  });
});

describe('crlShardOf', () => {
  it('is stable: pinned values, and the same shard for every spelling of a serial', () => {
    // Issuance writes these into certificates: a change here would send revocations to the wrong shard.
    expect([crlShardOf('01', 16), crlShardOf('7e57ab1e', 16), crlShardOf('00ff', 1000)]).toEqual([
      crlShardOf('1', 16),
      crlShardOf('7E57AB1E', 16),
      crlShardOf('ff', 1000),
    ]);
    expect([crlShardOf('01', 16), crlShardOf('7e57ab1e', 16), crlShardOf('00ff', 1000)]).toEqual(PINNED);
    expect(crlShardOf('abcdef', 1)).toBe(0);
  });

  it('spreads random serials evenly', () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[crlShardOf(randomBytes(16).toString('hex'), 16)]!++;
    for (const n of counts) expect(n).toBeGreaterThan(800);
    for (const n of counts) expect(n).toBeLessThan(1200);
  });

  it('rejects a shard count that is not a positive whole number', () => {
    expect(() => crlShardOf('01', 0)).toThrow(/shards/);
    expect(() => crlShardOf('01', 1.5)).toThrow(/shards/);
    expect(() => crlShardOf('xyz', 4)).toThrow(/serialHex/);
  });
});

// First four bytes of `openssl dgst -sha256` over the INTEGER contents 01, 7e57ab1e and 00ff, modulo the shard count.
const PINNED = [15, 11, 362];
