// The OCSP half of the revocation benchmark: an authority with N issued certificates (bulk-loaded, a tenth
// revoked, plus a few issued and one revoked through the API), requests for 1,000 serials spread over them,
// then Tarsier's POST /ocsp/<id> and `openssl ocsp` on an index.txt of the same certificates, both driven by the
// same load client process. Every answer is checked as it arrives; a sample of each run is verified by openssl
// (signature, and good or revoked as the data says).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CompiledQuery, sql } from 'kysely';
import { issuerHashes } from '../../src/crypto/ocsp.ts';
import { encodeOcspRequest } from '../../src/crypto/ocsp-client.ts';
import { toPem } from '../../src/crypto/pem.ts';
import { hexId } from '../../src/modules/certificates/list.ts';
import type { RunningTarsier } from '../../test/harness/tarsier.ts';
import type { OcspLoadResult } from './ocsp-client.ts';
import { type OpensslResponder, runOcspClient, verifyOcspAnswer } from './openssl-peer.ts';
import { certificateStream, createLoader, writeIndexFromDb } from './revocation-data.ts';

export interface OcspRun {
  responder: string;
  /** Planner statistics when measured: 'none' (as Tarsier leaves SQLite) or 'ANALYZE'; '' for openssl. */
  stats: string;
  database: string;
  signer: 'CA' | 'delegated';
  nonce: boolean;
  keepAlive: boolean;
  clients: number;
  result: OcspLoadResult;
  /** Sampled answers openssl verified with the expected status, of those checked. */
  verified: { ok: number; checked: number };
}

export interface OcspSetup {
  dir: string;
  authorityId: number;
  caPem: string;
  caKey: string;
  index: string;
  /** Same serials, same order; real API-issued certificates first. */
  withNonce: EncodedRequest[];
  withoutNonce: EncodedRequest[];
  serials: string[];
  expected: Array<'good' | 'revoked'>;
  certificates: number;
  loadSeconds: number;
  /** Our encoder's request equals `openssl ocsp -reqout`'s byte for byte. */
  encoderMatchesOpenssl: boolean;
}

export interface OcspTiming {
  warmupMs: number;
  durationMs: number;
}

const SAMPLES = 1000;
const VERIFY = 16;

async function api(t: RunningTarsier, method: string, url: string, body: unknown, want: number) {
  const r = await t.api(method, url, body);
  if (r.status !== want) throw new Error(`${method} ${url}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

/** Creates the authority, issues and revokes real certificates, bulk-loads the rest and writes the peer's files. */
export async function prepareOcsp(t: RunningTarsier, certificates: number, dir: string): Promise<OcspSetup> {
  const ca = await api(
    t,
    'POST',
    '/api/v1/authorities',
    {
      name: 'Bench OCSP',
      type: 'root',
      subject: { commonName: 'Tarsier Bench OCSP Root' },
      keyType: 'ec-p256',
      publicBaseUrl: 'http://pki.bench.example',
      ocspSigner: 'ca',
    },
    201,
  );
  const real: Array<{ serial: string; status: 'good' | 'revoked'; pem: string }> = [];
  for (const i of [1, 2, 3]) {
    const body = { authorityId: ca.id, commonName: `ocsp-real-${i}.bench.example.com`, keyType: 'ec-p256' };
    const cert = await api(t, 'POST', '/api/v1/certificates', body, 201);
    if (i === 2) await api(t, 'POST', `/api/v1/certificates/${cert.id}/revoke`, { reason: 'keyCompromise' }, 200);
    real.push({ serial: hexId(cert.serial), status: i === 2 ? 'revoked' : 'good', pem: cert.pem });
  }
  const der = Buffer.from(real[0]!.pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const every = Math.max(1, Math.floor(certificates / SAMPLES));
  const sampled: typeof real = [];
  const loader = createLoader(t.services.db, t.dialect, ca.id, der, certificateStream(6960, 0.1, Date.now()));
  const loadSeconds = await loader.load(certificates, (c) => {
    if (c.n % every === 0) sampled.push({ serial: c.serial, status: c.revokedAt ? 'revoked' : 'good', pem: '' });
  });
  const signer = await t.services.authorities.signer(ca.id);
  const caPem = path.join(dir, 'ca.pem');
  const caKey = path.join(dir, 'ca.key');
  fs.writeFileSync(caPem, toPem(signer.row.certificate_der, 'CERTIFICATE'));
  fs.writeFileSync(caKey, signer.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const index = path.join(dir, 'index.txt');
  const indexed = await writeIndexFromDb(t.services.db, ca.id, index);
  if (indexed !== certificates + real.length) throw new Error(`index.txt has ${indexed} lines, expected more`);
  const all = [...real, ...sampled];
  const hashes = issuerHashes(signer.row.certificate_der, 'sha1');
  return {
    dir,
    authorityId: ca.id,
    caPem,
    caKey,
    index,
    withNonce: all.map((c) => benchRequest(hashes, c.serial, true)),
    withoutNonce: all.map((c) => benchRequest(hashes, c.serial, false)),
    serials: all.map((c) => c.serial),
    expected: all.map((c) => c.status),
    certificates: indexed,
    loadSeconds,
    encoderMatchesOpenssl: matchesOpenssl(dir, caPem, all[0]!.serial, benchRequest(hashes, all[0]!.serial, false)),
  };
}

const NONCE_BYTES = 16;

interface EncodedRequest {
  der: Buffer;
  /** Where the nonce's 16 bytes sit in `der` (the load client refreshes them per request); absent without nonce. */
  nonceOffset?: number;
}

/** Tarsier's own request encoder (src/crypto/ocsp-client.ts), with a placeholder nonce the load client refreshes. */
function benchRequest(
  hashes: { nameHash: Buffer; keyHash: Buffer },
  serialHex: string,
  withNonce: boolean,
): EncodedRequest {
  if (!withNonce) return { der: Buffer.from(encodeOcspRequest(hashes, serialHex)) };
  const der = Buffer.from(encodeOcspRequest(hashes, serialHex, Buffer.alloc(NONCE_BYTES, 0xa5)));
  return { der, nonceOffset: der.length - NONCE_BYTES };
}

function matchesOpenssl(dir: string, caPem: string, serial: string, ours: EncodedRequest): boolean {
  const file = path.join(dir, 'openssl-req.der');
  const args = ['ocsp', '-issuer', caPem, '-serial', `0x${serial}`, '-reqout', file, '-no_nonce'];
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return r.status === 0 && fs.readFileSync(file).equals(ours.der);
}

/** Verifies the answers the client saved for the first VERIFY requests. */
function verifySaved(s: OcspSetup, saveDir: string): { ok: number; checked: number; failures: string[] } {
  let ok = 0;
  let checked = 0;
  const failures: string[] = [];
  for (let i = 0; i < VERIFY; i++) {
    const file = path.join(saveDir, `resp-${i}.der`);
    if (!fs.existsSync(file)) continue;
    checked++;
    const v = verifyOcspAnswer(file, s.caPem, s.serials[i]!);
    if (v.verified && v.status === s.expected[i]) ok++;
    else failures.push(`serial ${s.serials[i]}: expected ${s.expected[i]}, openssl says ${v.status}: ${v.text.trim()}`);
  }
  fs.rmSync(saveDir, { recursive: true, force: true });
  return { ok, checked, failures };
}

export interface RunPlan {
  responder: string;
  stats: string;
  database: string;
  signer: 'CA' | 'delegated';
  nonce: boolean;
  keepAlive: boolean;
  clients: number;
  url?: string;
  peer?: OpensslResponder;
}

/** One measured run (and its openssl check); throws when an answer was wrong. */
export async function measure(s: OcspSetup, plan: RunPlan, timing: OcspTiming, log: (l: string) => void) {
  const saveDir = path.join(s.dir, `saved-${Date.now()}-${plan.clients}`);
  const requests = (plan.nonce ? s.withNonce : s.withoutNonce).map((r) => ({
    der: r.der.toString('base64'),
    nonceOffset: r.nonceOffset,
  }));
  const result = await runOcspClient(
    {
      url: plan.url ?? '',
      requests,
      concurrency: plan.clients,
      warmupMs: timing.warmupMs,
      durationMs: timing.durationMs,
      keepAlive: plan.keepAlive,
      saveDir,
      saveCount: VERIFY,
      excludePids: [process.pid],
    },
    plan.peer,
  );
  const what = `${plan.responder} ${plan.database}${plan.stats ? ` (stats: ${plan.stats})` : ''} signer=${plan.signer} nonce=${plan.nonce} keepAlive=${plan.keepAlive} c=${plan.clients}`;
  if (result.errors > 0 || result.latency.count === 0) {
    throw new Error(
      `${what}: ${result.errors} wrong answers, ${result.latency.count} right; first: ${result.firstError}`,
    );
  }
  const v = verifySaved(s, saveDir);
  if (v.failures.length) throw new Error(`${what}: openssl disagrees:\n${v.failures.join('\n')}`);
  const { responder, stats, database, signer, nonce, keepAlive, clients } = plan;
  const run: OcspRun = { responder, stats, database, signer, nonce, keepAlive, clients, result, verified: v };
  log(
    `${what}: ${Math.round(result.perSecond)}/s p50 ${result.latency.p50.toFixed(2)} ms p95 ${result.latency.p95.toFixed(2)} ms ` +
      `(client busy ${(result.clientBusy * 100).toFixed(0)}%, others ${result.others.toFixed(2)} cores, verified ${v.ok}/${v.checked})`,
  );
  return run;
}

/** Switches who signs the authority's OCSP answers (PATCH, as an operator would). */
export async function setSigner(t: RunningTarsier, authorityId: number, signer: 'ca' | 'delegated'): Promise<void> {
  await api(t, 'PATCH', `/api/v1/authorities/${authorityId}`, { ocspSigner: signer }, 200);
}

/** The plan of the status lookup the responder runs per CertID (store.findStatus), as the database reports it. */
export async function lookupPlan(t: RunningTarsier, s: OcspSetup): Promise<string> {
  const db = t.services.db;
  const q = db
    .selectFrom('certificates')
    .select(['revoked_at', 'revocation_reason', 'not_after'])
    .where('serial', '=', s.serials[5]!)
    .where('authority_id', '=', s.authorityId)
    .compile();
  const prefix = t.dialect === 'postgres' ? 'EXPLAIN (ANALYZE, COSTS OFF) ' : 'EXPLAIN QUERY PLAN ';
  const r = await db.executeQuery(CompiledQuery.raw(prefix + q.sql, [...q.parameters]));
  const rows = r.rows as Array<Record<string, unknown>>;
  return rows.map((row) => String(row['QUERY PLAN'] ?? row['detail'])).join('; ');
}

/** Gathers planner statistics, which Tarsier itself never does on SQLite (PostgreSQL's autovacuum does). */
export async function analyze(t: RunningTarsier): Promise<number> {
  const start = performance.now();
  await sql`ANALYZE`.execute(t.services.db);
  return (performance.now() - start) / 1000;
}
