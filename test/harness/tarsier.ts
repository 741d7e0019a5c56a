// Starts a real Tarsier server for a test file: a temporary data directory, SQLite or a fresh PostgreSQL
// database, a free port on 127.0.0.1, and an admin token. stop() removes everything it made.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../../src/cli/server.ts';
import { loadServerConfig, type SettingName } from '../../src/config.ts';
import { createPostgresDatabase, type TestDialect } from './databases.ts';

export interface RunningTarsier {
  url: string;
  token: string;
  adminPassword: string;
  dataDir: string;
  dialect: TestDialect;
  databaseUrl?: string;
  services: Awaited<ReturnType<typeof startServer>>['services'];
  app: Awaited<ReturnType<typeof startServer>>['app'];
  api(
    method: string,
    urlPath: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; json: any; text: string; headers: Headers }>;
  /** Creates a local user with these roles (creating team roles as needed) and returns a bearer token for them. */
  userToken(username: string, roles: string[]): Promise<string>;
  stop(): Promise<void>;
}

export const TEST_USER_PASSWORD = 'correct-horse-battery-9';

export async function startTarsier(
  opts: {
    dialect?: TestDialect;
    port?: number;
    settings?: Partial<Record<SettingName, string>>;
    /** An existing PostgreSQL database to share with another instance (left in place by stop()). */
    databaseUrl?: string;
  } = {},
): Promise<RunningTarsier> {
  const dialect = opts.databaseUrl ? 'postgres' : (opts.dialect ?? 'sqlite');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-test-'));
  const pgdb =
    dialect !== 'postgres'
      ? undefined
      : opts.databaseUrl
        ? { url: opts.databaseUrl, drop: async () => {} }
        : await createPostgresDatabase();
  const adminPassword = 'test-admin-password-1';
  const cfg = loadServerConfig(
    {
      // The tests' servers live on 127.0.0.1: allow loopback through the outbound guard unless a test says otherwise.
      outboundAllow: 'private,loopback',
      ...opts.settings,
      dataDir,
      port: opts.port ?? 0,
      host: '127.0.0.1',
      databaseUrl: pgdb?.url,
      adminPassword,
      logLevel: process.env.TARSIER_TEST_LOG ?? 'silent',
    },
    {},
  );
  const server = await startServer(cfg, () => {});
  const url = server.address;
  async function api(method: string, urlPath: string, body?: unknown, token?: string) {
    const res = await fetch(`${url}${urlPath}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, headers: res.headers };
  }
  const login = await api('POST', '/api/v1/auth/login', { username: 'admin', password: adminPassword });
  if (login.status !== 200) throw new Error(`test login failed: ${login.text}`);
  const token = (login.json as { token: string }).token;
  return {
    url,
    token,
    adminPassword,
    dataDir,
    dialect,
    databaseUrl: pgdb?.url,
    services: server.services,
    app: server.app,
    api: (m, p, b, t) => api(m, p, b, t ?? token),
    async userToken(username, roles) {
      const builtin = ['admin', 'operator', 'user', 'security'];
      for (const role of roles.filter((r) => !builtin.includes(r))) {
        const res = await api('POST', '/api/v1/roles', { name: role }, token);
        if (res.status !== 201 && res.status !== 409) throw new Error(`role ${role}: ${res.text}`);
      }
      const created = await api('POST', '/api/v1/users', { username, password: TEST_USER_PASSWORD, roles }, token);
      if (created.status !== 201) throw new Error(`user ${username}: ${created.text}`);
      const res = await api('POST', '/api/v1/auth/login', { username, password: TEST_USER_PASSWORD });
      return (res.json as { token: string }).token;
    },
    async stop() {
      await server.stop();
      await pgdb?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
