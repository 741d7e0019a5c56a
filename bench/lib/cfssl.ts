// CFSSL as the side-by-side peer for issuance: installs Debian's golang-cfssl when `cfssl` is missing, makes an
// EC P-256 CA and a signing profile (server auth, 397 days) in a temporary directory, and runs `cfssl serve` on
// a free loopback port. Its newcert endpoint generates the key, builds a CSR and signs it; it stores nothing.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Makes sure `cfssl` exists; returns null when it does, or the reason it could not be installed. */
export function ensureCfssl(log: (line: string) => void): string | null {
  if (hasCommand('cfssl')) return null;
  log('cfssl is missing: installing the Debian package golang-cfssl (apt-get install -y golang-cfssl) ...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const apt = (args: string[]) => {
    const [cmd, ...rest] = [...sudo, 'apt-get', ...args];
    execFileSync(cmd!, rest, { env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
  };
  try {
    try {
      apt(['install', '-y', '-qq', 'golang-cfssl']);
    } catch {
      apt(['update', '-qq']);
      apt(['install', '-y', '-qq', 'golang-cfssl']);
    }
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    return `apt-get install golang-cfssl failed: ${(err.stderr?.toString() || err.message).trim().split('\n').pop()}`;
  }
  return hasCommand('cfssl') ? null : 'golang-cfssl installed but no cfssl command was found';
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningCfssl {
  url: string;
  pid: number;
  version: string;
  stop(): Promise<void>;
}

async function waitForPort(port: number, child: ChildProcess, logFile: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`cfssl serve exited: ${fs.readFileSync(logFile, 'utf8').slice(-500)}`);
    const up = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.end();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('cfssl serve did not start listening within 10 s');
}

/** Starts `cfssl serve` with a fresh CA; stop() kills it and removes its directory. */
export async function startCfssl(): Promise<RunningCfssl> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-bench-cfssl-'));
  const caCsr = { CN: 'Bench CFSSL Root', key: { algo: 'ecdsa', size: 256 }, names: [{ O: 'Bench' }] };
  fs.writeFileSync(path.join(dir, 'ca-csr.json'), JSON.stringify(caCsr));
  const made = JSON.parse(
    execFileSync('cfssl', ['gencert', '-initca', 'ca-csr.json'], { cwd: dir, stdio: 'pipe' }).toString(),
  ) as {
    cert: string;
    key: string;
  };
  fs.writeFileSync(path.join(dir, 'ca.pem'), made.cert);
  fs.writeFileSync(path.join(dir, 'ca-key.pem'), made.key, { mode: 0o600 });
  const profile = { usages: ['signing', 'digital signature', 'key encipherment', 'server auth'], expiry: '9528h' };
  fs.writeFileSync(path.join(dir, 'cfg.json'), JSON.stringify({ signing: { default: profile } }));
  const port = await freePort();
  const logFile = path.join(dir, 'serve.log');
  const out = fs.openSync(logFile, 'w');
  // Log level 3 (warnings): a log line per request would tax CFSSL, and Tarsier runs with logging off too.
  const args = ['serve', '-address', '127.0.0.1', '-port', String(port), '-ca', 'ca.pem', '-ca-key', 'ca-key.pem'];
  const child = spawn('cfssl', [...args, '-config', 'cfg.json', '-loglevel', '3'], {
    cwd: dir,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const version = execFileSync('cfssl', ['version']).toString().split('\n')[0]!.replace('Version: ', '');
  try {
    await waitForPort(port, child, logFile);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    version,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
