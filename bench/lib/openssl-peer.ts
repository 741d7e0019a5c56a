// OpenSSL as the side-by-side peer for revocation: `openssl ocsp` answering from an index.txt and
// `openssl ca -gencrl` building CRLs from it, plus the openssl checks of what Tarsier produced.
// `openssl ocsp -port` listens on all interfaces and spins at 100% CPU on a connection closed without a request
// (shared NOTES), so it runs inside a private, loopback-only network namespace (`unshare -rn`) together with
// its load client, and its whole process group is killed afterwards (with -multi, SIGTERM leaves children).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { OcspLoadResult, OcspLoadSpec } from './ocsp-client.ts';

const REPO = path.join(import.meta.dirname, '..', '..');
const CLIENT = path.join(import.meta.dirname, 'ocsp-client.ts');
/** The responder's port inside the namespace: nothing else lives there. */
const PEER_PORT = 2560;

export interface OpensslResponder {
  dir: string;
  index: string;
  caPem: string;
  caKey: string;
  /** `-multi N` worker processes; undefined for the single-process responder. */
  multi?: number;
}

const sh = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

function collect(child: ReturnType<typeof spawn>, what: string): Promise<string> {
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c;
  });
  child.stderr!.on('data', (c: Buffer) => {
    err += c;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) resolve(line);
      else reject(new Error(`${what} failed (exit ${code}): ${(err || out).slice(-800)}`));
    });
  });
}

/**
 * Runs the load client against `spec.url` (Tarsier, on the host's 127.0.0.1), or, with `peer`, against
 * `openssl ocsp` started in a fresh network namespace together with the client (spec.url is then set here).
 */
export async function runOcspClient(spec: OcspLoadSpec, peer?: OpensslResponder): Promise<OcspLoadResult> {
  const dir = peer?.dir ?? fs.mkdtempSync('/tmp/tarsier-bench-ocsp-');
  const specFile = path.join(dir, `spec-${process.hrtime.bigint()}.json`);
  const full = peer ? { ...spec, url: `http://127.0.0.1:${PEER_PORT}/` } : spec;
  fs.writeFileSync(specFile, JSON.stringify(full));
  const client = `${sh(process.execPath)} --import tsx ${sh(CLIENT)} ${sh(specFile)}`;
  let child: ReturnType<typeof spawn>;
  if (peer) {
    const responder = [
      'openssl ocsp',
      `-index ${sh(peer.index)} -CA ${sh(peer.caPem)} -rsigner ${sh(peer.caPem)} -rkey ${sh(peer.caKey)}`,
      `-port ${PEER_PORT} -nmin 60 -resp_no_certs`,
      peer.multi ? `-multi ${peer.multi}` : '',
    ].join(' ');
    // The responder's -multi children survive a signal to their parent or group (seen here: they outlived the
    // benchmark), so the shell kills them by parent pid once the client is done.
    const log = sh(path.join(dir, 'responder.log'));
    const script = `ip link set lo up && { ${responder} >${log} 2>&1 & } && r=$! && ${client}; s=$?; pkill -9 -P $r; kill -9 $r; exit $s`;
    // detached: a process group of its own (unshare, then the shell's children), killed as a whole below.
    child = spawn('unshare', ['-rn', 'sh', '-c', script], {
      cwd: REPO,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } else {
    child = spawn('sh', ['-c', `exec ${client}`], { cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  }
  try {
    return JSON.parse(await collect(child, peer ? 'openssl ocsp run' : 'OCSP load client')) as OcspLoadResult;
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {} // the group is gone already
    fs.rmSync(specFile, { force: true });
    if (!peer) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a command; its stdout and stderr together, and whether it exited 0. */
function run(cmd: string, args: string[], cwd?: string): { ok: boolean; text: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  return { ok: r.status === 0, text: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** `openssl ocsp -respin` on a saved answer: the serial's status, and whether the response verified. */
export function verifyOcspAnswer(respFile: string, caPem: string, serialHex: string) {
  const args = ['-respin', respFile, '-issuer', caPem, '-CAfile', caPem, '-serial', `0x${serialHex}`, '-no_nonce'];
  const r = run('openssl', ['ocsp', ...args]);
  const status = /: (good|revoked|unknown)\b/.exec(r.text)?.[1] ?? 'unreadable';
  return { status, verified: r.ok && /Response verify OK/.test(r.text), text: r.text };
}

/** `openssl crl -verify` on a DER CRL: whether its signature verified, and the seconds openssl took. */
export function verifyCrl(file: string, caPem: string): { ok: boolean; seconds: number; text: string } {
  const start = performance.now();
  const r = run('openssl', ['crl', '-inform', 'DER', '-in', file, '-noout', '-verify', '-CAfile', caPem]);
  return { ok: r.ok && /verify OK/.test(r.text), seconds: (performance.now() - start) / 1000, text: r.text.trim() };
}

/** How many entries openssl reads from a DER CRL (prints the text; use on the smaller CRLs only). */
export function countCrlEntries(file: string): number {
  const r = run('openssl', ['crl', '-inform', 'DER', '-in', file, '-noout', '-text']);
  return r.text.split('Serial Number:').length - 1;
}

/**
 * `openssl ca -gencrl` over an index.txt (a minimal openssl.cnf is written beside it): the DER CRL, its
 * generation time (the whole command, including reading the index) and its size.
 */
export function opensslGencrl(dir: string, index: string, caPem: string, caKey: string) {
  const cnf = path.join(dir, 'openssl.cnf');
  fs.writeFileSync(
    cnf,
    [
      '[ ca ]',
      'default_ca = bench',
      '[ bench ]',
      `database = ${index}`,
      `certificate = ${caPem}`,
      `private_key = ${caKey}`,
      `crlnumber = ${path.join(dir, 'crlnumber')}`,
      'default_md = sha256',
      'default_crl_hours = 24',
      'unique_subject = no',
      'crl_extensions = crl_ext',
      '[ crl_ext ]',
      'authorityKeyIdentifier = keyid:always',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(dir, 'crlnumber'), '01\n');
  const pem = path.join(dir, 'openssl-crl.pem');
  const args = ['ca', '-config', cnf, '-gencrl', '-out', pem, '-batch'];
  // GNU time reports openssl's peak RSS; its own start-up is a millisecond or two of the measured time.
  const timed = fs.existsSync('/usr/bin/time');
  const start = performance.now();
  const r = timed ? run('/usr/bin/time', ['-f', 'maxrss=%M', 'openssl', ...args]) : run('openssl', args);
  const seconds = (performance.now() - start) / 1000;
  if (!r.ok) throw new Error(`openssl ca -gencrl failed: ${r.text.slice(-500)}`);
  const maxrss = /maxrss=(\d+)/.exec(r.text)?.[1];
  const der = Buffer.from(fs.readFileSync(pem, 'latin1').replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const file = path.join(dir, 'openssl-crl.der');
  fs.writeFileSync(file, der);
  fs.rmSync(pem);
  return { seconds, bytes: der.length, file, peakRssMiB: maxrss ? Number(maxrss) / 1024 : undefined };
}
