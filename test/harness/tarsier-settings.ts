// startTarsier() with extra settings (e.g. LDAP or OIDC sign-in), on SQLite in a temporary directory: what the
// external sign-in tests need until startTarsier itself takes settings. api() can send extra headers (a cookie).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../../src/cli/server.ts';
import { loadServerConfig, type SettingName } from '../../src/config.ts';

export type TarsierWithSettings = Awaited<ReturnType<typeof startTarsierWith>>;

export async function startTarsierWith(settings: Partial<Record<SettingName, string>>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-test-'));
  const adminPassword = 'test-admin-password-1';
  const cfg = loadServerConfig(
    { ...settings, dataDir, port: 0, host: '127.0.0.1', adminPassword, logLevel: 'silent' },
    {},
  );
  const server = await startServer(cfg, () => {});
  const api = (method: string, urlPath: string, body?: unknown, token?: string, headers: Record<string, string> = {}) =>
    httpJson(server.address, method, urlPath, body, token, headers);
  const admin = await api('POST', '/api/v1/auth/login', { username: 'admin', password: adminPassword });
  if (admin.status !== 200) throw new Error(`test login failed: ${admin.text}`);
  return {
    url: server.address,
    api,
    adminToken: admin.json.token as string,
    services: server.services,
    async stop() {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One JSON request to a running Tarsier over real HTTP (redirects are returned, not followed); json is undefined when the body is not JSON. */
export async function httpJson(
  baseUrl: string,
  method: string,
  urlPath: string,
  body?: unknown,
  token?: string,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${baseUrl}${urlPath}`, {
    method,
    redirect: 'manual',
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}
