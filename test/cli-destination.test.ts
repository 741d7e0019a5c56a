// `tarsier destination …` as a real process against a real server: create, list, show, test, deploy (exit status 1
// when a destination failed), deployments, update, delete; credentials never printed.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaPair } from './harness/authorities.ts';
import { runTarsier } from './harness/cli.ts';
import { testDialects } from './harness/databases.ts';
import { type Workdir, workdir } from './harness/openssl.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

describe.each(testDialects())('destination CLI on %s', (dialect) => {
  let t: RunningTarsier;
  let w: Workdir;
  let env: NodeJS.ProcessEnv;
  let inter: any;
  const cli = (...args: string[]) => runTarsier(['destination', ...args], env);

  beforeAll(async () => {
    t = await startTarsier({ dialect, settings: { outboundAllow: 'loopback' } });
    w = workdir();
    ({ inter } = await createCaPair(t, w, 'Cli'));
    const { TARSIER_TOKEN: _unused, ...outer } = process.env;
    env = { ...outer, TARSIER_URL: t.url, TARSIER_TOKEN_FILE: w.write('token', `${t.token}\n`) };
  });
  afterAll(async () => {
    await t?.stop();
    w?.remove();
  });

  it('creates, shows, tests, deploys, lists deployments, updates and deletes', async () => {
    const dir = fs.mkdtempSync(path.join(w.dir, 'cli-'));
    const created = await cli(
      'create',
      'files',
      '--plugin',
      'directory',
      '--option',
      `path=${dir}`,
      '--option',
      'layout=pem',
      '--option',
      'command=echo deployed-ok',
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('created destination');
    const hook = await cli(
      'create',
      'hook',
      '--plugin',
      'webhook',
      '--option',
      'url=http://127.0.0.1:9/x',
      '--secret',
      'hmacSecret=cli-secret-0123456789',
    );
    expect(hook.code, hook.stderr).toBe(0);
    expect(hook.stdout).toContain('hmacSecret');
    expect(hook.stdout).not.toContain('cli-secret-0123456789');
    const listed = await cli('list');
    expect(listed.stdout).toMatch(/files\s+directory/);
    expect((await cli('show', 'files')).stdout).toContain(dir);
    const tested = await cli('test', 'files');
    expect(tested.code).toBe(0);
    expect(tested.stdout).toContain('writable directory');
    const bad = await cli('create', 'bad', '--plugin', 'directory', '--option', 'path=relative');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('options.path');

    const cert = (await t.api('POST', '/api/v1/certificates', { authorityId: inter.id, commonName: 'cli.example.com' }))
      .json;
    const ok = await cli('deploy', String(cert.id), '--to', 'files');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/files\s+success/);
    expect(ok.stdout).toContain('deployed-ok');
    expect(fs.existsSync(path.join(dir, 'cli.example.com.pem'))).toBe(true);
    const mixed = await cli('deploy', String(cert.id), '--to', 'files,hook');
    expect(mixed.code, mixed.stdout + mixed.stderr).toBe(1);
    expect(mixed.stdout).toMatch(/hook\s+failed/);
    expect(mixed.stdout).toContain('ECONNREFUSED');
    const history = await cli('deployments', String(cert.id), '--json');
    expect(JSON.parse(history.stdout).items).toHaveLength(3);
    const updated = await cli('update', 'hook', '--option', 'payload=key-link');
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toContain('key-link');
    const kept = await cli('delete', 'hook');
    expect(kept.code, kept.stdout).not.toBe(0);
    expect(kept.stderr).toContain('recorded deployments');
    await cli('create', 'spare', '--plugin', 'directory', '--option', 'path=/tmp');
    const deleted = await cli('delete', 'spare');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect((await cli('plugins')).stdout).toContain('--secret hmacSecret');
  });
});
