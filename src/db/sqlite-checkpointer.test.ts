// Checkpoints on the worker thread: committed pages reach the database file itself (a copy of the file without
// its WAL holds them), the writer's own checkpointing is only a backstop, and stopping closes the worker.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer } from './sqlite-checkpointer.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function openWal() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-ckpt-'));
  dirs.push(dir);
  const file = path.join(dir, 'x.db');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  sqlite.pragma('wal_checkpoint(TRUNCATE)'); // the table itself in the file; its rows are what the tests follow
  return { dir, file, sqlite };
}

/** The rows a reader finds in the database file alone, as if the WAL were lost. */
function rowsInMainFile(dir: string, file: string): number {
  const copy = path.join(dir, 'copy.db');
  fs.copyFileSync(file, copy);
  const db = new SQLite(copy, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('startCheckpointer', () => {
  it('copies committed pages into the database file from its worker thread', async () => {
    const { dir, file, sqlite } = openWal();
    const errors: Error[] = [];
    const checkpointer = startCheckpointer(sqlite, file, (e) => errors.push(e));
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(4000);
    const insert = sqlite.prepare('INSERT INTO t (v) VALUES (?)');
    for (let i = 0; i < 200; i++) insert.run(`row ${i}`);
    expect(rowsInMainFile(dir, file)).toBe(0); // all still in the WAL
    await checkpointer.checkpoint();
    expect(rowsInMainFile(dir, file)).toBe(200);
    await checkpointer.stop();
    sqlite.close();
    expect(errors).toEqual([]);
  });

  it('checkpoints by itself after writes it was told of', async () => {
    const { dir, file, sqlite } = openWal();
    const checkpointer = startCheckpointer(sqlite, file, () => {});
    sqlite.prepare('INSERT INTO t (v) VALUES (?)').run('x');
    checkpointer.wrote();
    await expect.poll(() => rowsInMainFile(dir, file), { timeout: 5000 }).toBe(1);
    await checkpointer.stop();
    sqlite.close();
  });
});
