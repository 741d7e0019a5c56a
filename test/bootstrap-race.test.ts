// Several `tarsier serve` processes started at once on an empty database: each migrates and bootstraps the admin,
// and all must come up (none crashing on the admin's unique username), with exactly one admin made.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, testDialects } from './harness/databases.ts';
import { newMasterKeys, startTarsierProcess, type TarsierProcess } from './harness/processes.ts';

// Several processes sharing one database is the PostgreSQL deployment, but two processes on one SQLite file happen
// too (`serve` and `ocsp`, or a second `serve` started by mistake): on a new file both migrated at once and one died
// on `table "roles" already exists` (Kysely takes no migration lock on SQLite; db/sqlite-durable.ts now does).
describe.each(testDialects())('starting several servers at once on an empty %s database', (dialect) => {
  const processes: TarsierProcess[] = [];
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    for (const c of cleanups) await c();
  });

  it('all three come up, and exactly one admin exists', async () => {
    let databaseUrl: string;
    if (dialect === 'postgres') {
      const pg = await createPostgresDatabase();
      cleanups.push(pg.drop);
      databaseUrl = pg.url;
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-race-'));
      cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
      databaseUrl = `sqlite:${path.join(dir, 'tarsier.db')}`;
    }
    const masterKeys = newMasterKeys();
    const started = await Promise.allSettled(
      [0, 1, 2].map(() => startTarsierProcess({ databaseUrl, masterKeys, env: { TARSIER_JOBS: 'off' } })),
    );
    for (const s of started) if (s.status === 'fulfilled') processes.push(s.value);
    expect(
      started.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason)),
    ).toEqual([]);
    for (const p of processes) {
      const users = await p.api('GET', '/api/v1/users');
      expect(users.status, users.text).toBe(200);
      expect(users.json.items.map((u: any) => u.username)).toEqual(['admin']);
    }
  });
});
