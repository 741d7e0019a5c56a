// Databases for tests: the dialects each suite loops over (TARSIER_TEST_DIALECTS narrows them, e.g. "sqlite"),
// and a fresh PostgreSQL database per test file on the server at 127.0.0.1:5432 (or TARSIER_TEST_PG_URL).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type OpenDatabase, openDatabase } from '../../src/db/index.ts';

export type TestDialect = 'sqlite' | 'postgres';

export function testDialects(): TestDialect[] {
  const wanted = (process.env.TARSIER_TEST_DIALECTS ?? 'sqlite,postgres').split(',').map((s) => s.trim());
  return wanted.filter((d): d is TestDialect => d === 'sqlite' || d === 'postgres');
}

const adminUrl = () => process.env.TARSIER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Creates an empty database and returns its URL and a function that drops it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `tarsier_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl() });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * Opens an empty database of `dialect` through Tarsier's own opener (a temporary SQLite file, or a fresh
 * PostgreSQL database), not migrated; close() removes it.
 */
export async function openTestDatabase(
  dialect: TestDialect,
  sqliteSynchronous: 'FULL' | 'NORMAL' = 'NORMAL',
): Promise<{ open: OpenDatabase; close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-db-'));
  const pgdb = dialect === 'postgres' ? await createPostgresDatabase() : undefined;
  const open = openDatabase({
    database: pgdb ? { kind: 'postgres', url: pgdb.url } : { kind: 'sqlite', file: path.join(dir, 'tarsier.db') },
    sqliteSynchronous,
  });
  return {
    open,
    async close() {
      await open.close();
      await pgdb?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
