// Runs the real openssl binary (a checker nobody here wrote) on files in a temporary folder.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Workdir {
  dir: string;
  write(name: string, data: string | Uint8Array): string;
  read(name: string): Buffer;
  /** Runs openssl; throws with its stderr when it exits non-zero. */
  openssl(args: string[], input?: string | Uint8Array): string;
  /** Runs openssl without blocking the event loop: needed when it talks to a server in this process. */
  opensslAsync(args: string[]): Promise<string>;
  /** Runs openssl and returns exit status and all output, never throwing. */
  tryOpenssl(args: string[]): { status: number; output: string };
  remove(): void;
}

export function workdir(): Workdir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-ossl-'));
  const p = (name: string) => path.join(dir, name);
  const run = (args: string[], input?: string | Uint8Array) =>
    execFileSync('openssl', args, { cwd: dir, input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
  return {
    dir,
    write(name, data) {
      fs.writeFileSync(p(name), data);
      return p(name);
    },
    read: (name) => fs.readFileSync(p(name)),
    openssl(args, input) {
      try {
        return run(args, input);
      } catch (e) {
        const err = e as { stderr?: Buffer; stdout?: Buffer };
        throw new Error(
          `openssl ${args.join(' ')} failed: ${err.stderr?.toString() ?? ''}${err.stdout?.toString() ?? ''}`,
        );
      }
    },
    opensslAsync(args) {
      return new Promise((resolve, reject) => {
        execFile('openssl', args, { cwd: dir, timeout: 30_000 }, (err, stdout, stderr) => {
          if (err) reject(new Error(`openssl ${args.join(' ')} failed: ${stderr}${stdout}`));
          else resolve(`${stdout}${stderr}`);
        });
      });
    },
    tryOpenssl(args) {
      const r = spawnSync('openssl', args, { cwd: dir });
      return { status: r.status ?? 1, output: `${r.stdout?.toString() ?? ''}${r.stderr?.toString() ?? ''}` };
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Makes a self-signed certificate with `openssl req -x509` in the workdir: `<name>.pem` and `<name>.key`.
 * `keyArgs` choose the key and digest (default EC P-256); `extra` adds e.g. `-addext subjectAltName=…`.
 */
export function selfSignedCertificate(
  w: Workdir,
  name: string,
  opts: { subject?: string; keyArgs?: string[]; extra?: string[]; days?: number } = {},
): { certPem: string; keyPem: string } {
  const keyArgs = opts.keyArgs ?? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  w.openssl([
    'req',
    '-x509',
    ...keyArgs,
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    String(opts.days ?? 30),
    '-subj',
    opts.subject ?? '/CN=localhost',
    ...(opts.extra ?? []),
  ]);
  return { certPem: w.read(`${name}.pem`).toString(), keyPem: w.read(`${name}.key`).toString() };
}

/** The subjectAltName extension for a certificate of localhost / 127.0.0.1. */
export const LOCALHOST_SAN = ['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'];

/** A self-signed P-256 certificate for `commonName` made by openssl: `<name>.crt` and `<name>.key` in the workdir. */
export function selfSignedEc(w: Workdir, name: string, commonName: string): { certPem: string; keyPem: string } {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30'];
  w.openssl(['req', '-x509', ...ec, '-subj', `/CN=${commonName}`, '-keyout', `${name}.key`, '-out', `${name}.crt`]);
  return { certPem: w.read(`${name}.crt`).toString(), keyPem: w.read(`${name}.key`).toString() };
}
