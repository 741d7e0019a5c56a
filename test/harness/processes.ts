// Real `tarsier serve` processes for tests that need several of them on one PostgreSQL database (shared jobs,
// a process killed mid-work): each with its own data directory, a free port on 127.0.0.1, the same master keys,
// and its own settings (e.g. a clock offset). kill() sends a signal and waits for the process to be gone.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './cli.ts';
import { httpJson } from './tarsier-settings.ts';

export const ADMIN_PASSWORD = 'process-admin-password-1';
export const newMasterKeys = () => `k1:${randomBytes(32).toString('base64')}`;

export interface TarsierProcess {
  url: string;
  child: ChildProcess;
  api(method: string, urlPath: string, body?: unknown): Promise<{ status: number; json: any; text: string }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startTarsierProcess(opts: {
  databaseUrl: string;
  masterKeys: string;
  env?: Record<string, string>;
  /** `worker`: the background jobs without the API (url is then '') */
  command?: 'serve' | 'worker';
}): Promise<TarsierProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-proc-'));
  const { TARSIER_TOKEN: _t, ...outer } = process.env;
  const child = spawn(process.execPath, ['bin/tarsier.js', opts.command ?? 'serve'], {
    cwd: repoRoot,
    env: {
      ...outer,
      TARSIER_DATABASE_URL: opts.databaseUrl,
      TARSIER_MASTER_KEYS: opts.masterKeys,
      TARSIER_DATA_DIR: dataDir,
      TARSIER_PORT: '0',
      TARSIER_HOST: '127.0.0.1',
      TARSIER_ADMIN_PASSWORD: ADMIN_PASSWORD,
      TARSIER_LOG_LEVEL: 'warn',
      // The SMTP and other test servers listen on 127.0.0.1, which the outbound guard refuses by default.
      TARSIER_OUTBOUND_ALLOW: 'private,loopback',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d;
      const m = /listening on (http:\/\/\S+)|(worker running)/.exec(output);
      if (m) resolve(m[1] ?? '');
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => {
      output += d;
    });
    child.once('exit', (code) => reject(new Error(`tarsier serve exited (${code}) before listening:\n${output}`)));
  });
  let token: string | undefined;
  const request = (method: string, urlPath: string, body?: unknown, auth?: string) =>
    httpJson(url, method, urlPath, body, auth);
  return {
    url,
    child,
    async api(method, urlPath, body) {
      if (!token) {
        const login = await request('POST', '/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
        if (login.status !== 200) throw new Error(`login failed: ${login.text}`);
        token = login.json.token as string;
      }
      return request(method, urlPath, body, token);
    },
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
