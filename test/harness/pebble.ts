// Starts Pebble (the ACME test CA) for a test file: its own config and a self-made 127.0.0.1/localhost TLS
// certificate in a temporary directory, free ports, no random validation sleeps and no rejected nonces. Names are
// resolved through `dnsServer` when given (e.g. startDnsServer()), else through a pebble-challtestsrv started here
// that answers 127.0.0.1 for every name. HTTP-01 is validated against `httpPort` on 127.0.0.1: point it at the
// server that answers /.well-known/acme-challenge/. Needs Debian's pebble package.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { stopProcessGroup } from './dns-server.ts';
import { workdir } from './openssl.ts';
import { freePort } from './slapd.ts';

export interface PebbleOptions {
  /** Port Pebble connects to for HTTP-01 (default: a free port, returned as `httpPort`). */
  httpPort?: number;
  /** `host:port` of the DNS server Pebble resolves names with (and reads DNS-01 TXT records from). */
  dnsServer?: string;
  /** External account binding: key id -> base64url HMAC key; `eabRequired` makes Pebble refuse accounts without. */
  eabKeys?: Record<string, string>;
  eabRequired?: boolean;
  /** Extra environment, e.g. `{ PEBBLE_AUTHZREUSE: '0' }`. */
  env?: Record<string, string>;
}

export interface RunningPebble {
  directoryUrl: string;
  /** PEM of the self-signed certificate Pebble's ACME and management endpoints use: trust it as `caCertificates`. */
  tlsCaPem: string;
  httpPort: number;
  managementUrl: string;
  /** The issuing root (new at every start) and intermediate, PEM. */
  rootPem(): Promise<string>;
  intermediatePem(): Promise<string>;
  /** Pebble's view of a certificate, e.g. `{ Status: 'Revoked', … }`. */
  certStatus(serialHex: string): Promise<{ Status: string; [k: string]: unknown }>;
  /** GET on the management API, for anything else. */
  management(pathname: string): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

function get(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

function spawnLogged(
  cmd: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

async function startChallTestSrv(): Promise<{ address: string; child: ChildProcess }> {
  const dnsPort = await freePort();
  const mgmtPort = await freePort();
  const address = `127.0.0.1:${dnsPort}`;
  const { child, output } = spawnLogged('/usr/bin/pebble-challtestsrv', [
    ...['-dns01', address, '-defaultIPv4', '127.0.0.1', '-defaultIPv6', ''],
    ...['-http01', '', '-https01', '', '-tlsalpn01', '', '-management', `127.0.0.1:${mgmtPort}`],
  ]);
  const deadline = Date.now() + 10_000;
  while (!output().includes('Starting challenge servers')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopProcessGroup(child);
      throw new Error(`pebble-challtestsrv did not start: ${output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { address, child };
}

/** Example: `const pebble = await startPebble({ httpPort: 5002 }); … await pebble.stop();` */
export async function startPebble(opts: PebbleOptions = {}): Promise<RunningPebble> {
  if (!fs.existsSync('/usr/bin/pebble'))
    throw new Error('/usr/bin/pebble is missing: install the Debian package pebble');
  const work = workdir();
  work.openssl([
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
    ...['-keyout', 'key.pem', '-out', 'cert.pem', '-days', '7', '-subj', '/CN=localhost'],
    ...['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
  ]);
  const tlsCaPem = work.read('cert.pem').toString();
  const [acmePort, mgmtPort, tlsPort] = [await freePort(), await freePort(), await freePort()];
  const httpPort = opts.httpPort ?? (await freePort());
  const config = {
    pebble: {
      listenAddress: `127.0.0.1:${acmePort}`,
      managementListenAddress: `127.0.0.1:${mgmtPort}`,
      certificate: path.join(work.dir, 'cert.pem'),
      privateKey: path.join(work.dir, 'key.pem'),
      httpPort,
      tlsPort,
      ocspResponderURL: '',
      externalAccountBindingRequired: opts.eabRequired ?? false,
      externalAccountMACKeys: opts.eabKeys ?? {},
    },
  };
  const configPath = work.write('pebble.json', JSON.stringify(config));

  let challtestsrv: ChildProcess | undefined;
  let dnsServer = opts.dnsServer;
  if (!dnsServer) {
    const srv = await startChallTestSrv();
    challtestsrv = srv.child;
    dnsServer = srv.address;
  }
  const env = { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', ...opts.env };
  const { child, output } = spawnLogged('/usr/bin/pebble', ['-config', configPath, '-dnsserver', dnsServer], env);
  const directoryUrl = `https://127.0.0.1:${acmePort}/dir`;
  const managementUrl = `https://127.0.0.1:${mgmtPort}`;
  const stop = async () => {
    await stopProcessGroup(child);
    await stopProcessGroup(challtestsrv);
    work.remove();
  };

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`pebble exited with ${child.exitCode}: ${output()}`);
    }
    try {
      if ((await get(directoryUrl, tlsCaPem)).status === 200) break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`pebble did not answer within 15 s: ${output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const management = (pathname: string) => get(`${managementUrl}${pathname}`, tlsCaPem);
  const pem = async (pathname: string) => {
    const r = await management(pathname);
    if (r.status !== 200) throw new Error(`pebble ${pathname}: HTTP ${r.status} ${r.body}`);
    return r.body;
  };
  return {
    directoryUrl,
    tlsCaPem,
    httpPort,
    managementUrl,
    rootPem: () => pem('/roots/0'),
    intermediatePem: () => pem('/intermediates/0'),
    async certStatus(serialHex) {
      return JSON.parse(await pem(`/cert-status-by-serial/${serialHex}`));
    },
    management,
    stop,
  };
}
