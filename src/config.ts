// The one place that reads the environment and flags. Every setting is declared once in SETTINGS with its
// environment variable, default and description; docs/configuration.md is checked against this list by a test.
import os from 'node:os';
import path from 'node:path';
import { ValidationError } from './errors.ts';

export interface Setting {
  readonly env: string;
  readonly flag?: string;
  readonly description: string;
  readonly default?: string;
}

export const SETTINGS = {
  host: { env: 'TARSIER_HOST', flag: '--host', default: '127.0.0.1', description: 'Address the server listens on.' },
  port: {
    env: 'TARSIER_PORT',
    flag: '--port',
    default: '8420',
    description: 'TCP port of the API (and later the UI).',
  },
  dataDir: {
    env: 'TARSIER_DATA_DIR',
    flag: '--data-dir',
    default: './data',
    description: 'Directory for the SQLite database and the master key file; created on first start.',
  },
  databaseUrl: {
    env: 'TARSIER_DATABASE_URL',
    description:
      'postgres://user@host:port/db for PostgreSQL; empty means SQLite at <data-dir>/tarsier.db. A sqlite:/path URL names another SQLite file.',
  },
  adminPassword: {
    env: 'TARSIER_ADMIN_PASSWORD',
    description:
      'Password of the user `admin`, created on the first start on an empty database. When unset, one is generated and printed once.',
  },
  masterKeys: {
    env: 'TARSIER_MASTER_KEYS',
    description:
      'Master keys that wrap the data keys of stored private keys: comma-separated `id:base64` (32 bytes each), newest last. When unset, <data-dir>/master-keys is used (created with mode 0600 on first start).',
  },
  tokenTtlHours: { env: 'TARSIER_TOKEN_TTL_HOURS', default: '12', description: 'Lifetime of a login token, in hours.' },
  logLevel: {
    env: 'TARSIER_LOG_LEVEL',
    default: 'info',
    description: 'pino log level: fatal, error, warn, info, debug, trace, silent.',
  },
  sqliteSynchronous: {
    env: 'TARSIER_SQLITE_SYNCHRONOUS',
    default: 'FULL',
    description:
      'SQLite synchronous pragma: FULL (an issued certificate survives power loss) or NORMAL (survives a crash of Tarsier only).',
  },
  url: {
    env: 'TARSIER_URL',
    flag: '--url',
    default: 'http://127.0.0.1:8420',
    description: 'CLI client: the Tarsier server to talk to.',
  },
  token: { env: 'TARSIER_TOKEN', flag: '--token', description: 'CLI client: bearer token (from `tarsier login`).' },
  tokenFile: {
    env: 'TARSIER_TOKEN_FILE',
    default: path.join(os.homedir(), '.config', 'tarsier', 'token'),
    description:
      'CLI client: file where `tarsier login` saves the token (mode 0600); used when neither --token nor TARSIER_TOKEN is set.',
  },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  adminPassword?: string;
  masterKeys?: string;
  tokenTtlHours: number;
  logLevel: string;
  sqliteSynchronous: 'FULL' | 'NORMAL';
}

export interface ClientConfig {
  url: string;
  token?: string;
  tokenFile: string;
}

type Overrides = Partial<Record<SettingName, string | number | undefined>>;

function pick(name: SettingName, overrides: Overrides, env: NodeJS.ProcessEnv): string | undefined {
  const fromFlag = overrides[name];
  if (fromFlag !== undefined && fromFlag !== '') return String(fromFlag);
  const setting: Setting = SETTINGS[name];
  const fromEnv = env[setting.env];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return setting.default;
}

function positiveInt(name: SettingName, value: string | undefined, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) {
    const s: Setting = SETTINGS[name];
    throw new ValidationError(s.flag ?? s.env, `'${value}' is not a whole number from 0 to ${max}`);
  }
  return n;
}

/** Reads the server's settings: flags (overrides) win over the environment, which wins over defaults. */
export function loadServerConfig(overrides: Overrides = {}, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const dataDir = path.resolve(pick('dataDir', overrides, env) ?? './data');
  const url = pick('databaseUrl', overrides, env);
  let database: ServerConfig['database'];
  if (!url) database = { kind: 'sqlite', file: path.join(dataDir, 'tarsier.db') };
  else if (/^postgres(ql)?:\/\//.test(url)) database = { kind: 'postgres', url };
  else if (url.startsWith('sqlite:')) database = { kind: 'sqlite', file: path.resolve(url.slice('sqlite:'.length)) };
  else throw new ValidationError('TARSIER_DATABASE_URL', `'${url}' must start with postgres:// or sqlite:`);
  const sync = (pick('sqliteSynchronous', overrides, env) ?? 'FULL').toUpperCase();
  if (sync !== 'FULL' && sync !== 'NORMAL')
    throw new ValidationError('TARSIER_SQLITE_SYNCHRONOUS', 'must be FULL or NORMAL');
  return {
    host: pick('host', overrides, env) ?? '127.0.0.1',
    port: positiveInt('port', pick('port', overrides, env), 65535),
    dataDir,
    database,
    adminPassword: pick('adminPassword', overrides, env),
    masterKeys: pick('masterKeys', overrides, env),
    tokenTtlHours: positiveInt('tokenTtlHours', pick('tokenTtlHours', overrides, env), 24 * 365),
    logLevel: pick('logLevel', overrides, env) ?? 'info',
    sqliteSynchronous: sync,
  };
}

/** Reads the CLI client's settings (server URL and token). */
export function loadClientConfig(overrides: Overrides = {}, env: NodeJS.ProcessEnv = process.env): ClientConfig {
  return {
    url: (pick('url', overrides, env) ?? '').replace(/\/+$/, ''),
    token: pick('token', overrides, env),
    tokenFile: path.resolve(pick('tokenFile', overrides, env) ?? ''),
  };
}
