// Synthetic but realistic certificate rows for the inventory benchmark: varied service names (some wildcards,
// three domains), SANs as the service stores them, search_text built by the service's own searchText(), unique
// fingerprints, random serials, expiry spread over the past year and the next two, a few owners, authorities and
// key types. One real certificate's DER is shared by every row (the list never parses it).
import { createHash, randomBytes } from 'node:crypto';
import type { NewCertificateRow } from '../../src/db/schema.ts';
import { searchText } from '../../src/modules/certificates/rows.ts';

export const TEAMS = [
  'payments',
  'search',
  'identity',
  'billing',
  'platform',
  'data',
  'mobile',
  'edge',
  'ads',
  'infra',
];
const DOMAINS = ['example.com', 'example.com', 'example.com', 'example.org', 'corp.example.net', 'internal'];
const KEY_TYPES: Array<[string, string, number]> = [
  // key type, signature algorithm of its issuer, cumulative share in percent
  ['ec-p256', 'ecdsa-with-SHA256', 60],
  ['rsa-2048', 'sha256WithRSAEncryption', 90],
  ['ec-p384', 'ecdsa-with-SHA384', 95],
  ['rsa-4096', 'sha256WithRSAEncryption', 100],
];
const DAY = 86_400_000;

export interface Authority {
  id: number;
  subjectDn: string;
}

export interface SyntheticContext {
  now: number;
  total: number;
  authorities: Authority[];
  der: Uint8Array;
}

/** A deterministic pseudo-random stream (mulberry32), so two runs load the same names and dates. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function serviceName(n: number): { host: string; team: string } {
  const team = TEAMS[n % TEAMS.length]!;
  const domain = DOMAINS[Math.floor(n / TEAMS.length) % DOMAINS.length]!;
  return { host: `svc-${n}.${team}.${domain}`, team };
}

/** Row n (1-based) of the synthetic inventory. `serial` is passed in so callers can sample it. */
export function syntheticRow(n: number, serial: string, rnd: () => number, ctx: SyntheticContext): NewCertificateRow {
  const { host, team } = serviceName(n);
  const wildcard = n % 17 === 0;
  const commonName = wildcard ? `*.${host}` : host;
  const dns = wildcard ? [commonName, host] : n % 5 === 0 ? [host, `${host.split('.')[0]}.${team}.svc`] : [host];
  const ip = n % 23 === 0 ? [`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`] : [];
  const sha256 = createHash('sha256').update(`bench-certificate-${n}`).digest('hex');
  const sha1 = createHash('sha1').update(`bench-certificate-${n}`).digest('hex');
  const pick = rnd() * 100;
  const [keyType, signatureAlgorithm] = KEY_TYPES.find(([, , upTo]) => pick < upTo) ?? KEY_TYPES[0]!;
  const imported = n % 7 === 0;
  const authority = ctx.authorities[n % ctx.authorities.length]!;
  const notAfter = ctx.now - 365 * DAY + Math.floor(rnd() * 3 * 365 * DAY);
  const validityDays = [90, 90, 365, 397][Math.floor(rnd() * 4)]!;
  // Rows were created in order over the last two years, never after they became valid.
  const createdAt = Math.min(ctx.now - 730 * DAY + Math.floor((n / ctx.total) * 730 * DAY), ctx.now);
  const revoked = rnd() < 0.01;
  return {
    authority_id: imported ? null : authority.id,
    origin: imported ? 'imported' : 'issued',
    common_name: commonName,
    sans: JSON.stringify({ dns, ip, email: [], uri: [] }),
    search_text: searchText({ commonName, sans: { dns, ip, email: [], uri: [] } }),
    serial,
    fingerprint_sha256: sha256,
    fingerprint_sha1: sha1,
    subject_dn: `CN=${commonName},O=Example Corp`,
    issuer_dn: imported ? 'CN=Example Public CA R3,O=Example Trust,C=US' : authority.subjectDn,
    not_before: new Date(notAfter - validityDays * DAY).toISOString(),
    not_after: new Date(notAfter).toISOString(),
    key_type: keyType,
    signature_algorithm: signatureAlgorithm,
    certificate_der: ctx.der,
    // An authority publishes one CRL shard unless configured otherwise; imported certificates have none.
    crl_shard: imported ? null : 0,
    chain_pem: null,
    private_key_id: null,
    owner: rnd() < 0.7 ? team : null,
    description: null,
    labels: n % 3 === 0 ? JSON.stringify({ env: n % 2 ? 'prod' : 'staging' }) : '{}',
    notify: 1,
    revoked_at: revoked ? new Date(notAfter - 30 * DAY).toISOString() : null,
    revocation_reason: revoked ? 'superseded' : null,
    archived_at: rnd() < 0.02 ? new Date(ctx.now - Math.floor(rnd() * 90) * DAY).toISOString() : null,
    replaces_id: null,
    replaced_by_id: null,
    issue_params: null,
    created_at: new Date(createdAt).toISOString(),
    created_by: imported ? 'user:importer' : 'user:admin',
  };
}

/** A random positive 16-byte serial in the stored form: lower-case hex, no leading zero byte. */
export function randomSerial(): string {
  if (pool.length - used < 16) {
    pool = randomBytes(16 * 4096);
    used = 0;
  }
  const b = pool.subarray(used, used + 16);
  used += 16;
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}

let pool = Buffer.alloc(0);
let used = 0;
