// `tarsier serve` as a newcomer runs it: a real process on the embedded default (SQLite under the data
// directory), the admin password printed once, the master key file private, migrations idempotent.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

function serve(dataDir: string, port: number): { child: ChildProcess; output: () => string; ready: Promise<void> } {
  const env: NodeJS.ProcessEnv = { ...process.env, TARSIER_LOG_LEVEL: 'warn' };
  delete env.TARSIER_ADMIN_PASSWORD;
  delete env.TARSIER_DATABASE_URL;
  const child = spawn(process.execPath, ['bin/tarsier.js', 'serve', '--port', String(port), '--data-dir', dataDir], {
    env,
  });
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('listening')) resolve();
    });
    child.stderr!.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
  return { child, output: () => out, ready };
}

describe('tarsier serve on the embedded default', () => {
  const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-serve-')), 'data');
  afterAll(() => fs.rmSync(path.dirname(dataDir), { recursive: true, force: true }));

  it('creates the data directory, prints the admin password once, answers /healthz, and stops on SIGTERM', async () => {
    const port = await freePort();
    const first = serve(dataDir, port);
    await first.ready;
    const password = first.output().match(/password: (\S+)/)?.[1];
    expect(password).toBeTruthy();
    expect(fs.existsSync(path.join(dataDir, 'tarsier.db'))).toBe(true);
    expect((fs.statSync(path.join(dataDir, 'master-keys')).mode & 0o777).toString(8)).toBe('600');
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(login.status).toBe(200);
    // Issue once, so that everything an issuance starts (the key pool's worker thread) is running at SIGTERM: it
    // once kept the process alive after a clean stop.
    const auth = { 'content-type': 'application/json', authorization: `Bearer ${((await login.json()) as any).token}` };
    const api = (p: string, body: unknown) =>
      fetch(`http://127.0.0.1:${port}${p}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    const ca = (await (
      await api('/api/v1/authorities', { name: 'R', type: 'root', subject: { commonName: 'R' } })
    ).json()) as any;
    expect((await api('/api/v1/certificates', { authorityId: ca.id, commonName: 'a.example.com' })).status).toBe(201);
    const exited = new Promise((r) => first.child.on('exit', r));
    first.child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const second = serve(dataDir, port);
    await second.ready;
    expect(second.output()).not.toContain('password');
    const exited2 = new Promise((r) => second.child.on('exit', r));
    second.child.kill('SIGTERM');
    await exited2;
  });

  it('migrates an up-to-date database as a no-op, and prints help listing the nouns', async () => {
    const { stdout } = await run(process.execPath, ['bin/tarsier.js', 'migrate', '--data-dir', dataDir]);
    expect(stdout).toContain('the database is up to date');
    const help = await run('npx', ['tarsier', '--help']);
    for (const noun of ['serve', 'migrate', 'keys', 'login', 'authority', 'cert']) expect(help.stdout).toContain(noun);
    // From another directory too (the whole server stack, with its decorators): the shim finds its tsconfig.
    const env = { ...process.env, TARSIER_DATABASE_URL: '', TARSIER_MASTER_KEYS: '' };
    const elsewhere = await run(
      process.execPath,
      [path.resolve('bin/tarsier.js'), 'keys', 'rotate', '--data-dir', dataDir],
      {
        cwd: os.tmpdir(),
        env,
      },
    );
    expect(elsewhere.stdout).toMatch(/re-wrapped 0 key\(s\) under master key mk-/);
    const db = new SQLite(path.join(dataDir, 'tarsier.db'), { readonly: true });
    const events = db.prepare("SELECT actor, action, outcome FROM audit_events WHERE action = 'keys.rotate'").all();
    db.close();
    expect(events).toEqual([{ actor: expect.stringMatching(/^system:/), action: 'keys.rotate', outcome: 'success' }]);
  });
});
