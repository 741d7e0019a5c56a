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
