// Starts a real OpenSSH sshd for a test file: its own host key, config and authorized_keys in a temporary
// directory, on a free 127.0.0.1 port, logging in as the user running the tests (root here) with a key made here.
// `remoteDir` is a directory the tests deploy into and then inspect on the "remote" side (the same file system).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
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
  log(): string;
  stop(): Promise<void>;
}

export async function startSshd(): Promise<RunningSshd> {
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
    log: () => output,
    async stop() {
      await stopProcessGroup(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
