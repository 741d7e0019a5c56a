// The CRL half of the revocation benchmark: an authority whose revoked certificates are bulk-loaded in steps
// (100,000, then up to 1,000,000), and at each step three ways to build the same CRL: Tarsier's real path
// (revocation.regenerate: paging the database, encoding, signing, storing), the encoder alone on entries in
// memory (buildCrl), and `openssl ca -gencrl` on an index.txt of the same entries. Each CRL Tarsier makes is
// verified by `openssl crl -verify`; peak RSS is Linux's VmHWM, reset before each build (/proc/self/clear_refs).
import fs from 'node:fs';
import path from 'node:path';
import { buildCrl, type CrlEntry } from '../../src/crypto/crl.ts';
import { toPem } from '../../src/crypto/pem.ts';
import type { RunningTarsier } from '../../test/harness/tarsier.ts';
import { countCrlEntries, opensslGencrl, verifyCrl } from './openssl-peer.ts';
import { certificateStream, createLoader, indexLine } from './revocation-data.ts';

export interface CrlRun {
  entries: number;
  how: 'tarsier' | 'encoder' | 'openssl';
  seconds: number;
  bytes: number;
  /** MiB: RSS before the build and the highest RSS during it (the process's own, or openssl's). */
  rssBeforeMiB?: number;
  peakRssMiB?: number;
  /** openssl's verdict on the signature, and the entry count it read where counted. */
  verified?: string;
}

export interface CrlResult {
  runs: CrlRun[];
  loads: Array<{ entries: number; seconds: number }>;
  /** Seconds to serve the stored 1M CRL over GET /crl/<id>.crl once, and the bytes received. */
  served?: { entries: number; seconds: number; bytes: number; error?: string };
}

const SEED = 5280;
const COUNT_UP_TO = 200_000;

const kib = (field: string) =>
  Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN);

/** Starts a peak-RSS window: returns the current RSS; peak() then gives the highest RSS since (MiB). */
function rssWindow(): { before: number; peak(): number } {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
  } catch {} // not Linux, or not allowed: the peak is then the process's lifetime peak
  return { before: kib('VmRSS') / 1024, peak: () => kib('VmHWM') / 1024 };
}

function check(file: string, caPem: string, entries: number): string {
  const v = verifyCrl(file, caPem);
  if (!v.ok) throw new Error(`openssl crl -verify rejected ${file}: ${v.text}`);
  if (entries > COUNT_UP_TO) return 'verify OK';
  const read = countCrlEntries(file);
  if (read !== entries) throw new Error(`openssl reads ${read} entries from ${file}, expected ${entries}`);
  return `verify OK, ${read.toLocaleString('en-US')} entries read`;
}

export async function runCrlBench(
  t: RunningTarsier,
  sizes: number[],
  dir: string,
  log: (line: string) => void,
): Promise<CrlResult> {
  const create = await t.api('POST', '/api/v1/authorities', {
    name: 'Bench CRL',
    type: 'root',
    subject: { commonName: 'Tarsier Bench CRL Root' },
    keyType: 'ec-p256',
    publicBaseUrl: 'http://pki.bench.example',
  });
  if (create.status !== 201) throw new Error(`creating the CRL authority failed: ${create.text}`);
  const id = create.json.id as number;
  const leaf = await t.api('POST', '/api/v1/certificates', {
    authorityId: id,
    commonName: 'crl-real.bench.example.com',
  });
  if (leaf.status !== 201) throw new Error(`issuing a certificate failed: ${leaf.text}`);
  const der = Buffer.from(String(leaf.json.pem).replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const ca = await t.services.authorities.signer(id);
  const caPem = path.join(dir, 'crl-ca.pem');
  const caKey = path.join(dir, 'crl-ca.key');
  fs.writeFileSync(caPem, toPem(ca.row.certificate_der, 'CERTIFICATE'));
  fs.writeFileSync(caKey, ca.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const index = path.join(dir, 'crl-index.txt');
  fs.writeFileSync(index, '');
  fs.writeFileSync(`${index}.attr`, 'unique_subject = no\n');

  const now = Date.now();
  const loader = createLoader(t.services.db, t.dialect, id, der, certificateStream(SEED, 1, now));
  const result: CrlResult = { runs: [], loads: [] };
  let loaded = 0;
  for (const size of [...sizes].sort((a, b) => a - b)) {
    let lines: string[] = [];
    const seconds = await loader.load(size - loaded, (c) => {
      lines.push(indexLine(c.serial, c.notAfter, c.revokedAt, c.reason));
      if (lines.length >= 10_000) {
        fs.appendFileSync(index, lines.join(''));
        lines = [];
      }
    });
    fs.appendFileSync(index, lines.join(''));
    loaded = size;
    result.loads.push({ entries: size, seconds });
    log(`CRL authority: ${size.toLocaleString('en-US')} revoked certificates loaded (+${seconds.toFixed(1)} s)`);

    // (a) Tarsier's real path.
    let w = rssWindow();
    let start = performance.now();
    const published = await t.services.revocation.regenerate(id, 0, 'full');
    const regenerated = (performance.now() - start) / 1000;
    const tarsierFile = path.join(dir, `tarsier-${size}.crl`);
    fs.writeFileSync(tarsierFile, published.der);
    const a: CrlRun = { entries: size, how: 'tarsier', seconds: regenerated, bytes: published.der.length };
    Object.assign(a, { rssBeforeMiB: w.before, peakRssMiB: w.peak(), verified: check(tarsierFile, caPem, size) });
    result.runs.push(a);
    log(
      `  Tarsier regenerate: ${regenerated.toFixed(2)} s, ${(a.bytes / 1e6).toFixed(1)} MB, peak RSS ${a.peakRssMiB?.toFixed(0)} MiB (${a.verified})`,
    );
    if (size === Math.max(...sizes)) {
      // A failure here is a finding about Tarsier, reported in the table rather than ending the benchmark.
      start = performance.now();
      try {
        const res = await fetch(`${t.url}/crl/${id}.crl`);
        const body = Buffer.from(await res.arrayBuffer());
        const same = res.status === 200 && body.equals(published.der);
        const error = same ? undefined : `HTTP ${res.status}, ${body.length} bytes, not the regenerated CRL`;
        result.served = { entries: size, seconds: (performance.now() - start) / 1000, bytes: body.length, error };
      } catch (e) {
        const error = `${e} (${(e as { cause?: unknown }).cause ?? 'no cause'})`;
        result.served = { entries: size, seconds: (performance.now() - start) / 1000, bytes: 0, error };
      }
      if (result.served.error) log(`  GET /crl/${id}.crl FAILED: ${result.served.error}`);
    }

    // (b) The encoder alone, on the same entries in memory.
    const next = certificateStream(SEED, 1, now);
    const entries: CrlEntry[] = Array.from({ length: size }, () => {
      const c = next();
      return { serialHex: c.serial, revokedAt: c.revokedAt!, reason: c.reason };
    });
    w = rssWindow();
    start = performance.now();
    const thisUpdate = new Date(Math.floor(Date.now() / 1000) * 1000);
    const encoded = buildCrl({
      issuerCertificateDer: ca.row.certificate_der,
      signerKey: ca.privateKey,
      thisUpdate,
      nextUpdate: new Date(thisUpdate.getTime() + 86_400_000),
      crlNumber: 1n,
      entries,
      freshestCrlUris: [`http://pki.bench.example/crl/${id}-delta.crl`],
    });
    const b: CrlRun = {
      entries: size,
      how: 'encoder',
      seconds: (performance.now() - start) / 1000,
      bytes: encoded.length,
    };
    Object.assign(b, { rssBeforeMiB: w.before, peakRssMiB: w.peak() });
    if (size <= COUNT_UP_TO) {
      const file = path.join(dir, `encoder-${size}.crl`);
      fs.writeFileSync(file, encoded);
      b.verified = check(file, caPem, size);
    }
    result.runs.push(b);
    log(`  buildCrl in memory: ${b.seconds.toFixed(2)} s, ${(b.bytes / 1e6).toFixed(1)} MB`);

    // (c) openssl ca -gencrl on the same entries.
    const o = opensslGencrl(dir, index, caPem, caKey);
    const c: CrlRun = { entries: size, how: 'openssl', seconds: o.seconds, bytes: o.bytes, peakRssMiB: o.peakRssMiB };
    if (size <= COUNT_UP_TO) c.verified = check(o.file, caPem, size);
    result.runs.push(c);
    log(
      `  openssl ca -gencrl: ${c.seconds.toFixed(2)} s, ${(c.bytes / 1e6).toFixed(1)} MB, peak RSS ${c.peakRssMiB?.toFixed(0)} MiB`,
    );
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.crl') || n.endsWith('.der'))) {
      fs.rmSync(path.join(dir, f));
    }
  }
  return result;
}
