// One SSH/SFTP session for everything Tarsier does on a remote host (SFTP destinations, the directory source over
// SFTP): the TCP connection goes through the outbound guard, the server's host key must match the pinned one, and
// every failure becomes an Error whose message says what went wrong (refused, wrong password, host key mismatch).
import { createHash } from 'node:crypto';
import ssh2, { Client, type SFTPWrapper } from 'ssh2';

// ssh2 is CommonJS: Node's ESM loader finds `Client` among its named exports but not `utils` (vitest's loader
// does, which hid this until a real `tarsier serve` started), so utils comes from the default export.
const { utils } = ssh2;

import type { OutboundGuard } from './outbound.ts';

export interface SshTarget {
  host: string;
  port?: number;
  username: string;
  /** `SHA256:<base64>` as `ssh-keygen -lf` prints it, or the `ssh-ed25519 AAAA…` public key line. */
  hostKey: string;
  password?: string;
  /** OpenSSH or PEM private key. */
  privateKey?: string;
  passphrase?: string;
}

export interface RemoteEntry {
  name: string;
  isDirectory: boolean;
  size: number;
  mode: number;
}

export interface SshSession {
  list(dir: string): Promise<RemoteEntry[]>;
  read(path: string): Promise<Buffer>;
  /** Writes a file created with `mode` (so a key is never readable by others, even briefly). */
  write(path: string, data: Buffer | string, mode: number): Promise<void>;
  /** Replaces `to` atomically where the server supports posix-rename (OpenSSH does). */
  rename(from: string, to: string): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  remove(path: string): Promise<void>;
  mkdirp(dir: string): Promise<void>;
  /**
   * Runs a command; resolves with its exit status (null when it was stopped after `timeoutMs`) and combined
   * output. Never rejects on a non-zero exit.
   */
  exec(command: string, timeoutMs?: number): Promise<{ exitCode: number | null; output: string }>;
  close(): void;
}

/** The `SHA256:…` fingerprint of a raw SSH public key blob, as OpenSSH prints it. */
export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function pinnedFingerprint(pin: string): string {
  const t = pin.trim();
  if (t.startsWith('SHA256:')) return t.replace(/=+$/, '');
  const parsed = utils.parseKey(t);
  if (parsed instanceof Error) throw new Error(`hostKey: '${t.slice(0, 40)}…' is neither SHA256:… nor a public key`);
  const key = Array.isArray(parsed) ? parsed[0]! : parsed;
  return sshFingerprint(key.getPublicSSH());
}

function cb<T>(fn: (done: (err: Error | null | undefined, v?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v as T))));
}

/** Connects and opens SFTP. Throws Error with a user-facing message; the caller decides how to report it. */
export async function openSsh(
  guard: Pick<OutboundGuard, 'connect'>,
  target: SshTarget,
  timeoutMs = 15_000,
): Promise<SshSession> {
  const port = target.port ?? 22;
  const expected = pinnedFingerprint(target.hostKey);
  const sock = await guard.connect(target.host, port, timeoutMs);
  const client = new Client();
  let presented: string | undefined;
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', (e: Error & { level?: string }) => {
      if (presented && presented !== expected) {
        reject(
          new Error(
            `host key mismatch at ${target.host}:${port}: the server presented ${presented}, pinned ${expected}`,
          ),
        );
      } else if (e.level === 'client-authentication') {
        reject(
          new Error(`${target.username}@${target.host}:${port} refused the ${target.privateKey ? 'key' : 'password'}`),
        );
      } else reject(new Error(`SSH to ${target.host}:${port} failed: ${e.message}`));
    });
    client.connect({
      sock,
      username: target.username,
      password: target.password,
      privateKey: target.privateKey,
      passphrase: target.passphrase,
      readyTimeout: timeoutMs,
      hostVerifier: (key: Buffer) => {
        presented = sshFingerprint(key);
        return presented === expected;
      },
    });
  });
  let sftp: SFTPWrapper;
  try {
    sftp = await cb<SFTPWrapper>((done) => client.sftp(done));
  } catch (e) {
    client.end();
    throw new Error(`${target.host}:${port} offers no SFTP: ${(e as Error).message}`);
  }
  return sessionOver(client, sftp);
}

function sessionOver(client: Client, sftp: SFTPWrapper): SshSession {
  const session: SshSession = {
    list: async (dir) =>
      (await cb<{ filename: string; attrs: { mode: number; size: number } }[]>((d) => sftp.readdir(dir, d))).map(
        (e) => ({
          name: e.filename,
          isDirectory: (e.attrs.mode & 0o170000) === 0o040000,
          size: e.attrs.size,
          mode: e.attrs.mode & 0o7777,
        }),
      ),
    read: (path) => cb<Buffer>((d) => sftp.readFile(path, d)),
    async write(path, data, mode) {
      const handle = await cb<Buffer>((d) => sftp.open(path, 'w', { mode }, d));
      try {
        const buf = Buffer.from(data);
        await cb((d) => sftp.write(handle, buf, 0, buf.length, 0, d));
        await cb((d) => sftp.fchmod(handle, mode, d));
      } finally {
        await cb((d) => sftp.close(handle, d));
      }
    },
    async rename(from, to) {
      try {
        await cb((d) => sftp.ext_openssh_rename(from, to, d));
      } catch {
        await cb((d) => sftp.unlink(to, d)).catch(() => undefined);
        await cb((d) => sftp.rename(from, to, d));
      }
    },
    chmod: (path, mode) => cb((d) => sftp.chmod(path, mode, d)),
    remove: (path) => cb((d) => sftp.unlink(path, d)),
    async mkdirp(dir) {
      let at = dir.startsWith('/') ? '' : '.';
      for (const part of dir.split('/').filter(Boolean)) {
        at = `${at}/${part}`;
        await cb((d) => sftp.mkdir(at, d)).catch(() => undefined);
      }
    },
    exec: (command, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        client.exec(command, (err, stream) => {
          if (err) return reject(err);
          let output = '';
          let settled = false;
          const finish = (exitCode: number | null) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({ exitCode, output });
          };
          // On time-out: ask the server to kill it (OpenSSH honours signal requests), close the channel, and
          // answer now rather than when the remote process happens to end.
          const timer = setTimeout(() => {
            output += `\n(stopped after ${timeoutMs / 1000} s)`;
            stream.signal('KILL');
            stream.close();
            finish(null);
          }, timeoutMs);
          stream.on('data', (c: Buffer) => (output += c.toString()));
          stream.stderr.on('data', (c: Buffer) => (output += c.toString()));
          stream.on('close', (code: number | null) => finish(code ?? null));
        });
      }),
    close: () => client.end(),
  };
  return session;
}
