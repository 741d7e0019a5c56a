// Starts a real BIND9 `named` for a test file: one primary zone (default `acme.test`, every name under it
// resolving to 127.0.0.1 through a wildcard) on a free port of 127.0.0.1, its own config in a temporary directory,
// accepting dynamic updates (RFC 2136) signed with a generated TSIG key. Pebble uses it as its resolver for HTTP-01
// and DNS-01 validation; `dig()` lets tests check what the zone really holds. Needs Debian's bind9 and bind9-dnsutils.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './slapd.ts';

export interface RunningDnsServer {
  host: string;
  port: number;
  zone: string;
  tsigKeyName: string;
  tsigAlgorithm: 'hmac-sha256';
  /** Base64, as in a BIND key file. */
  tsigSecret: string;
  /** Runs `dig @server -p port +short <name> <type>` and returns the answer lines (TXT values keep their quotes). */
  dig(name: string, type: string): Promise<string[]>;
  stop(): Promise<void>;
}

const NAMED = '/usr/sbin/named';

/** Kills a detached child's whole process group (SIGTERM, SIGKILL after 5 s) and waits for it to exit. */
export async function stopProcessGroup(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise((r) => child.once('exit', r));
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  }, 5_000);
  await exited;
  clearTimeout(timer);
}

function zoneFile(zone: string): string {
  return [
    '$TTL 60',
    `@ IN SOA ns1.${zone}. hostmaster.${zone}. ( 1 3600 600 86400 60 )`,
    `@ IN NS ns1.${zone}.`,
    '@ IN A 127.0.0.1',
    'ns1 IN A 127.0.0.1',
    '* IN A 127.0.0.1',
    '',
  ].join('\n');
}

function namedConf(dir: string, port: number, zone: string, keyName: string, secret: string): string {
  return [
    `key "${keyName}" { algorithm hmac-sha256; secret "${secret}"; };`,
    'options {',
    `  directory "${dir}";`,
    `  pid-file "${dir}/named.pid";`,
    `  session-keyfile "${dir}/session.key";`,
    `  managed-keys-directory "${dir}";`,
    `  listen-on port ${port} { 127.0.0.1; };`,
    '  listen-on-v6 { none; };',
    '  recursion no;',
    '  dnssec-validation no;',
    '  notify no;',
    '};',
    `zone "${zone}" { type primary; file "${dir}/zone.db"; allow-update { key "${keyName}"; }; };`,
    '',
  ].join('\n');
}

function runDig(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('dig', args, { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`dig ${args.join(' ')} failed: ${stderr}${stdout}`));
      else resolve(stdout);
    });
  });
}

/** Example: `const dns = await startDnsServer(); … pebble -dnsserver 127.0.0.1:${dns.port}`. */
export async function startDnsServer(opts: { zone?: string } = {}): Promise<RunningDnsServer> {
  if (!fs.existsSync(NAMED))
    throw new Error(`${NAMED} is missing: install the Debian packages bind9 and bind9-dnsutils`);
  const zone = opts.zone ?? 'acme.test';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-named-'));
  const port = await freePort();
  const tsigKeyName = 'tarsier-test-key';
  const tsigSecret = randomBytes(32).toString('base64');
  fs.writeFileSync(path.join(dir, 'zone.db'), zoneFile(zone));
  const conf = path.join(dir, 'named.conf');
  fs.writeFileSync(conf, namedConf(dir, port, zone, tsigKeyName, tsigSecret));

  let output = '';
  const child = spawn(NAMED, ['-g', '-4', '-n', '1', '-c', conf, '-p', String(port)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const dig = async (name: string, type: string) => {
    const out = await runDig(['@127.0.0.1', '-p', String(port), '+short', '+time=2', '+tries=1', name, type]);
    return out.split('\n').filter((l) => l.trim() !== '');
  };

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`named exited with ${child.exitCode}: ${output}`);
    if (output.includes('running')) {
      try {
        if ((await dig(zone, 'SOA')).length > 0) break;
      } catch {}
    }
    if (Date.now() > deadline) {
      await stopProcessGroup(child);
      throw new Error(`named did not answer within 15 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    host: '127.0.0.1',
    port,
    zone,
    tsigKeyName,
    tsigAlgorithm: 'hmac-sha256',
    tsigSecret,
    dig,
    async stop() {
      await stopProcessGroup(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
