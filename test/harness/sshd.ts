// Starts a real OpenSSH sshd for a test file: its own host key, config and authorized_keys in a temporary
// directory, on a free 127.0.0.1 port, logging in as the user running the tests (root here) with a key made here.
// `remoteDir` is a directory the tests deploy into and then inspect on the "remote" side (the same file system).
// With `passwordUser`, a dedicated account with a fresh random password (created idempotently, root only) can log in too:
// root's own password is never touched, and the account's shell is nologin, so it can do SFTP and nothing else.

import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stopProcessGroup } from './dns-server.ts';
import { waitForPort } from './nginx.ts';
import { freePort } from './slapd.ts';

export interface RunningSshd {
  host: string;
  port: number;
  username: string;
  /** OpenSSH private key that may log in. */
  clientKey: string;
  /** `SHA256:…` of the server's host key, as ssh-keygen prints it. */
  hostKeyFingerprint: string;
  remoteDir: string;
  /** The password account (with `passwordUser`): `dir` is a directory it owns, inside the temporary tree. */
  passwordLogin?: { username: string; password: string; dir: string };
  log(): string;
  stop(): Promise<void>;
}

const PASSWORD_USER = 'tarsier-sftp';

/**
 * Creates the password account if missing and gives it a fresh random password; stop() locks it again, so the
 * machine never keeps an account whose password anyone knows. One test file uses it (source-sftp.test.ts).
 */
function ensurePasswordUser(): string {
  if (process.getuid?.() !== 0) throw new Error('startSshd({ passwordUser }) creates a system account: run as root');
  const exists = () => spawnSync('id', ['-u', PASSWORD_USER], { stdio: 'ignore' }).status === 0;
  for (let attempt = 0; !exists(); attempt++) {
    const r = spawnSync('useradd', [
      '--system',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      PASSWORD_USER,
    ]);
    // 9: created meanwhile by another test file; 10: /etc/passwd locked by it: look again.
    if (r.status !== 0 && r.status !== 9 && (r.status !== 10 || attempt > 20))
      throw new Error(`useradd ${PASSWORD_USER} failed: ${r.stderr.toString()}`);
    if (r.status === 10) execFileSync('sleep', ['0.2']);
  }
  const password = randomBytes(18).toString('base64url');
  execFileSync('chpasswd', { input: `${PASSWORD_USER}:${password}\n` });
  return password;
}

export async function startSshd(opts: { passwordUser?: boolean } = {}): Promise<RunningSshd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-sshd-'));
  const p = (n: string) => path.join(dir, n);
  const keygen = (file: string) =>
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], { stdio: 'ignore' });
  keygen(p('host_key'));
  keygen(p('client_key'));
  fs.copyFileSync(p('client_key.pub'), p('authorized_keys'));
  const fingerprint = execFileSync('ssh-keygen', ['-lf', p('host_key.pub')])
    .toString()
    .split(' ')[1]!;
  const remoteDir = p('remote');
  fs.mkdirSync(remoteDir);
  let passwordLogin: RunningSshd['passwordLogin'];
  if (opts.passwordUser) {
    const password = ensurePasswordUser();
    const own = p('password-user');
    fs.mkdirSync(own);
    execFileSync('chown', [`${PASSWORD_USER}:`, own]);
    // The account must pass through the temporary directory to reach its own; the keys in it stay 0600.
    fs.chmodSync(dir, 0o711);
    passwordLogin = { username: PASSWORD_USER, password, dir: own };
  }
  // sshd refuses to start without its privilege separation directory.
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const port = await freePort();
  fs.writeFileSync(
    p('sshd_config'),
    [
      `ListenAddress 127.0.0.1:${port}`,
      `HostKey ${p('host_key')}`,
      `PidFile ${p('sshd.pid')}`,
      `AuthorizedKeysFile ${p('authorized_keys')}`,
      'StrictModes no',
      'PermitRootLogin yes',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'MaxAuthTries 3',
      'Subsystem sftp internal-sftp',
      'LogLevel VERBOSE',
    ].join('\n'),
  );
  let output = '';
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', p('sshd_config')], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await waitForPort(port, child, () => output, 'sshd');
  return {
    host: '127.0.0.1',
    port,
    username: os.userInfo().username,
    clientKey: fs.readFileSync(p('client_key'), 'utf8'),
    hostKeyFingerprint: fingerprint,
    remoteDir,
    passwordLogin,
    log: () => output,
    async stop() {
      await stopProcessGroup(child);
      if (passwordLogin) spawnSync('usermod', ['--lock', PASSWORD_USER]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
