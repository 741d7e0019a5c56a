// Starts a real CFSSL (`cfssl serve`, Debian's golang-cfssl) for a test file: its own CA made by
// `cfssl gencert -initca`, a signing configuration, and a SQLite certificate database so that /revoke works, all in
// a temporary directory, listening on a free port of 127.0.0.1. The database is created here because the Debian
// package ships no migrations; the schema is the one that build writes to (authority_key_identifier, no
// issued_at/metadata columns). stop() kills the process group and removes the directory.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';

const CFSSL = '/usr/bin/cfssl';
const run = promisify(execFile);

/** Profiles of the signing configuration: `server` is open; `authed` needs the auth key (when one is given). */
export const CFSSL_PROFILES = { open: 'server', authenticated: 'authed' } as const;

/** The server's default profile differs from `server` (expiry) so that the two can be told apart in /info. */
const USAGES = ['signing', 'digital signature', 'key encipherment', 'server auth'];

export interface CfsslCertificateRow {
  serial_number: string;
  authority_key_identifier: string;
  status: string;
  reason: number;
  revoked_at: string;
}

export interface RunningCfssl {
  /** Base URL of the API, e.g. http://127.0.0.1:41234 (https with `tls`) */
  url: string;
  /** The CA certificate that signs, PEM. */
  caPem: string;
  /** The CA certificate as a file, for openssl. */
  caFile: string;
  /** The row of CFSSL's certificate database for a serial (decimal, as CFSSL stores it). */
  certificateRow(serialDecimal: string): CfsslCertificateRow | undefined;
  /**
   * CFSSL's own OCSP status of a certificate: refreshes its OCSP responses from the database (`cfssl
   * ocsprefresh`, signed by the CA), dumps them (`cfssl ocspdump`) and returns what `openssl ocsp` says of the
   * one for this certificate, e.g. "leaf.pem: revoked\n\tThis Update: … Reason: superseded".
   */
  ocspStatus(certificatePem: string): Promise<string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function signingConfig(authKey?: string): object {
  const profile = (expiry: string) => ({ expiry, usages: USAGES });
  return {
    signing: {
      default: profile('168h'),
      profiles: {
        [CFSSL_PROFILES.open]: profile('720h'),
        ...(authKey ? { [CFSSL_PROFILES.authenticated]: { ...profile('720h'), auth_key: 'primary' } } : {}),
      },
    },
    ...(authKey ? { auth_keys: { primary: { type: 'standard', key: authKey } } } : {}),
  };
}

function createDatabase(file: string): void {
  const db = new Database(file);
  db.exec(`
    CREATE TABLE certificates (
      serial_number blob NOT NULL, authority_key_identifier blob NOT NULL, ca_label blob, status blob NOT NULL,
      reason int, expiry timestamp, revoked_at timestamp, pem blob NOT NULL,
      PRIMARY KEY (serial_number, authority_key_identifier));
    CREATE TABLE ocsp_responses (
      serial_number blob NOT NULL, authority_key_identifier blob NOT NULL, body blob NOT NULL, expiry timestamp,
      PRIMARY KEY (serial_number, authority_key_identifier),
      FOREIGN KEY (serial_number, authority_key_identifier)
        REFERENCES certificates (serial_number, authority_key_identifier));
  `);
  db.close();
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** cfssl serve opens its port only after every endpoint is set up, so an accepted connection means ready. */
async function waitUntilServing(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`cfssl serve exited with ${child.exitCode}: ${output()}`);
    if (await accepts(port)) return;
    if (Date.now() > deadline) throw new Error(`cfssl serve did not listen within 10 s: ${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A server certificate for 127.0.0.1 from the test CA, for `-tls-cert`. */
async function makeTlsCertificate(dir: string, file: (name: string) => string): Promise<void> {
  fs.writeFileSync(file('tls-csr.json'), JSON.stringify({ CN: '127.0.0.1', key: { algo: 'ecdsa', size: 256 } }));
  const { stdout } = await run(
    CFSSL,
    ['gencert', '-ca', file('ca.pem'), '-ca-key', file('ca-key.pem'), '-config', file('config.json')].concat([
      '-profile',
      CFSSL_PROFILES.open,
      '-hostname',
      '127.0.0.1,localhost',
      file('tls-csr.json'),
    ]),
    { cwd: dir },
  );
  const tls = JSON.parse(stdout) as { cert: string; key: string };
  fs.writeFileSync(file('tls.pem'), tls.cert);
  fs.writeFileSync(file('tls-key.pem'), tls.key, { mode: 0o600 });
}

/**
 * Starts `cfssl serve` with a new CA. With `authKey` (hex), the profile `authed` requires it (authsign). With
 * `tls`, it serves https with a certificate for 127.0.0.1 from the same CA (so `caPem` is what a client trusts).
 * Example: `const cfssl = await startCfssl({ authKey: randomBytes(16).toString('hex') })`
 */
export async function startCfssl(opts: { authKey?: string; tls?: boolean } = {}): Promise<RunningCfssl> {
  if (!fs.existsSync(CFSSL)) {
    throw new Error(`${CFSSL} is missing: run scripts/setup.sh (installs the Debian package golang-cfssl)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-cfssl-'));
  const file = (name: string) => path.join(dir, name);
  fs.writeFileSync(
    file('ca-csr.json'),
    JSON.stringify({ CN: 'Tarsier CFSSL Test CA', key: { algo: 'ecdsa', size: 256 } }),
  );
  const { stdout } = await run(CFSSL, ['gencert', '-initca', file('ca-csr.json')], { cwd: dir });
  const ca = JSON.parse(stdout) as { cert: string; key: string };
  fs.writeFileSync(file('ca.pem'), ca.cert);
  fs.writeFileSync(file('ca-key.pem'), ca.key, { mode: 0o600 });
  fs.writeFileSync(file('config.json'), JSON.stringify(signingConfig(opts.authKey)));
  createDatabase(file('certs.db'));
  fs.writeFileSync(file('db.json'), JSON.stringify({ driver: 'sqlite3', data_source: file('certs.db') }));

  const port = await freePort();
  const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const args = ['serve', '-address', '127.0.0.1', '-port', String(port), '-ca', file('ca.pem')];
  args.push('-ca-key', file('ca-key.pem'), '-config', file('config.json'), '-db-config', file('db.json'));
  if (opts.tls) {
    await makeTlsCertificate(dir, file);
    args.push('-tls-cert', file('tls.pem'), '-tls-key', file('tls-key.pem'));
  }
  const child = spawn(CFSSL, args, { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  try {
    await waitUntilServing(port, child, () => output);
  } catch (e) {
    await stopProcess(child);
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  return {
    url,
    caPem: ca.cert,
    caFile: file('ca.pem'),
    certificateRow(serialDecimal) {
      const db = new Database(file('certs.db'), { readonly: true });
      try {
        const row = db
          .prepare(
            'SELECT CAST(serial_number AS TEXT) AS serial_number, CAST(authority_key_identifier AS TEXT) AS ' +
              'authority_key_identifier, CAST(status AS TEXT) AS status, reason, revoked_at FROM certificates ' +
              'WHERE CAST(serial_number AS TEXT) = ?',
          )
          .get(serialDecimal);
        return row as CfsslCertificateRow | undefined;
      } finally {
        db.close();
      }
    },
    async ocspStatus(certificatePem) {
      const db = ['-db-config', file('db.json')];
      await run(
        CFSSL,
        [
          'ocsprefresh',
          ...db,
          '-ca',
          file('ca.pem'),
          '-responder',
          file('ca.pem'),
          '-responder-key',
          file('ca-key.pem'),
        ],
        { cwd: dir },
      );
      const { stdout: dump } = await run(CFSSL, ['ocspdump', ...db], { cwd: dir });
      fs.writeFileSync(file('leaf.pem'), certificatePem);
      const statuses: string[] = [];
      for (const [i, line] of dump.split('\n').filter(Boolean).entries()) {
        fs.writeFileSync(file(`ocsp-${i}.der`), Buffer.from(line, 'base64'));
        const checked = await run(
          'openssl',
          ['ocsp', '-respin', `ocsp-${i}.der`, '-issuer', 'ca.pem', '-cert', 'leaf.pem', '-CAfile', 'ca.pem'],
          { cwd: dir },
        ).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: `${e.stdout ?? ''}${e.stderr ?? ''}` }));
        if (!/No Status found/i.test(checked.stdout)) statuses.push(checked.stdout.trim());
      }
      return statuses.join('\n') || `no OCSP response of CFSSL is for this certificate (${statuses.length} checked)`;
    },
    async stop() {
      await stopProcess(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((r) => child.once('exit', r));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {}
  }, 5_000);
  await exited;
  clearTimeout(timer);
}
