// The one place that reads the environment and flags. Every setting is declared once in SETTINGS with its
// environment variable, default and description; docs/configuration.md is checked against this list by a test.
import os from 'node:os';
import path from 'node:path';
import { ValidationError } from './errors.ts';
import { type OutboundPolicy, parseOutboundPolicy } from './net/outbound.ts';

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
  pendingPollSeconds: {
    env: 'TARSIER_PENDING_POLL_SECONDS',
    default: '2',
    description:
      'How often each server process looks for pending certificates (ACME orders, queued CA requests) that are due for another attempt, in seconds.',
  },
  jobs: {
    env: 'TARSIER_JOBS',
    default: 'on',
    description:
      'on: `tarsier serve` also runs the background jobs (expiry notices, rotation, retries, checks); off: only `tarsier worker` processes do. On PostgreSQL the processes share the jobs through pg-boss.',
  },
  jobIntervals: {
    env: 'TARSIER_JOB_INTERVALS',
    description:
      'How often each background job runs, in seconds, overriding the defaults: comma-separated name=seconds pairs, e.g. expiry-notifications=3600,rotation=1800 (see `tarsier job list` for the names).',
  },
  jobTimeoutSeconds: {
    env: 'TARSIER_JOB_TIMEOUT_SECONDS',
    default: '600',
    description:
      'How long a job (or one rotation, one delivery) may stay claimed by a process; after that another process takes over, so a killed process delays work by at most this long.',
  },
  expiryNoticeDays: {
    env: 'TARSIER_EXPIRY_NOTICE_DAYS',
    default: '30,15,2',
    description:
      'Days before expiry at which owners are warned, comma-separated; each interval is sent once per certificate.',
  },
  authorityNoticeDays: {
    env: 'TARSIER_AUTHORITY_NOTICE_DAYS',
    default: '90,30,7',
    description: 'Days before an authority expires at which its owner and the matching rules are warned.',
  },
  deployGraceMinutes: {
    env: 'TARSIER_DEPLOY_GRACE_MINUTES',
    default: '60',
    description:
      'How long a replacement may stay undeployed where its predecessor was, or a destination or endpoint may keep showing a replaced certificate, before the owner is alerted (not-deployed, stale-deployment).',
  },
  clockOffsetSeconds: {
    env: 'TARSIER_CLOCK_OFFSET_SECONDS',
    default: '0',
    description:
      "Shifts this process's clock by this many seconds (negative: back), to rehearse expiry and rotation. For tests and drills, never in production.",
  },
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
  publicUrl: {
    env: 'TARSIER_PUBLIC_URL',
    description:
      'The URL users reach this server at (e.g. https://tarsier.example.com); used for OIDC redirects. Default: http://<host>:<port>.',
  },
  ldapUrl: {
    env: 'TARSIER_LDAP_URL',
    description:
      'LDAP sign-in: the directory, e.g. ldaps://ldap.example.com or ldap://127.0.0.1:389. Empty: LDAP sign-in is off.',
  },
  ldapUserDn: {
    env: 'TARSIER_LDAP_USER_DN',
    description:
      'LDAP sign-in: the DN a user binds as, with {username} in it, e.g. uid={username},ou=people,dc=example,dc=org.',
  },
  ldapGroupBase: {
    env: 'TARSIER_LDAP_GROUP_BASE',
    description:
      'LDAP sign-in: where groups are searched (groupOfNames with member, or posixGroup with memberUid), e.g. ou=groups,dc=example,dc=org.',
  },
  ldapGroupRoles: {
    env: 'TARSIER_LDAP_GROUP_ROLES',
    description:
      'LDAP sign-in: group-to-role mapping, comma-separated group=role pairs by group cn, e.g. pki-admins=admin,payments=payments.',
  },
  oidcIssuer: {
    env: 'TARSIER_OIDC_ISSUER',
    description:
      'OIDC sign-in: the issuer URL (its /.well-known/openid-configuration is read). Empty: OIDC sign-in is off.',
  },
  oidcClientId: {
    env: 'TARSIER_OIDC_CLIENT_ID',
    description: 'OIDC sign-in: the client id registered at the provider.',
  },
  oidcClientSecret: {
    env: 'TARSIER_OIDC_CLIENT_SECRET',
    description: 'OIDC sign-in: the client secret (a confidential client; PKCE is used as well).',
  },
  oidcGroupsClaim: {
    env: 'TARSIER_OIDC_GROUPS_CLAIM',
    default: 'groups',
    description: 'OIDC sign-in: the ID token or userinfo claim that lists the groups.',
  },
  oidcScopes: {
    env: 'TARSIER_OIDC_SCOPES',
    default: 'openid profile email',
    description:
      'OIDC sign-in: the scopes asked for, space-separated (openid is always included). Many providers send the groups claim only for its own scope: add it, e.g. "openid profile email groups".',
  },
  oidcGroupRoles: {
    env: 'TARSIER_OIDC_GROUP_ROLES',
    description:
      'OIDC sign-in: group-to-role mapping, comma-separated group=role pairs, e.g. pki-admins=admin,payments=payments.',
  },
  outboundAllow: {
    env: 'TARSIER_OUTBOUND_ALLOW',
    default: 'private',
    description:
      "Which addresses Tarsier may connect to on a user's behalf (SFTP and webhook destinations, TLS scans), besides public ones: comma-separated classes `private` (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), `loopback` (127/8, ::1), `link-local` (169.254/16, fe80::/10 and cloud metadata such as 169.254.169.254 and fd00:ec2::254), and CIDR ranges allowed whatever their class. Default: private only.",
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
  pendingPollSeconds: number;
  logLevel: string;
  jobs: {
    enabled: boolean;
    intervals: Record<string, number>;
    timeoutSeconds: number;
    expiryNoticeDays: number[];
    authorityNoticeDays: number[];
    deployGraceMinutes: number;
  };
  clockOffsetSeconds: number;
  sqliteSynchronous: 'FULL' | 'NORMAL';
  publicUrl: string;
  outbound: OutboundPolicy;
  ldap?: { url: string; userDn: string; groupBase?: string; groupRoles: Record<string, string[]> };
  oidc?: {
    issuer: string;
    clientId: string;
    clientSecret?: string;
    groupsClaim: string;
    scopes: string;
    groupRoles: Record<string, string[]>;
  };
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

/** Parses `group=role,group2=role2` (a group may map to several roles) into group -> roles. */
export function parseGroupRoles(text: string | undefined, setting: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const pair of (text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = pair.lastIndexOf('=');
    if (eq < 1 || eq === pair.length - 1) throw new ValidationError(setting, `'${pair}' is not group=role`);
    const group = pair.slice(0, eq).trim();
    out[group] = [...(out[group] ?? []), pair.slice(eq + 1).trim()];
  }
  return out;
}

function externalIdentity(overrides: Overrides, env: NodeJS.ProcessEnv): Pick<ServerConfig, 'ldap' | 'oidc'> {
  const get = (n: SettingName) => pick(n, overrides, env);
  const ldapUrl = get('ldapUrl');
  const oidcIssuer = get('oidcIssuer');
  if (ldapUrl && !get('ldapUserDn')?.includes('{username}')) {
    throw new ValidationError(
      'TARSIER_LDAP_USER_DN',
      'must contain {username}, e.g. uid={username},ou=people,dc=example,dc=org',
    );
  }
  if (oidcIssuer && !get('oidcClientId'))
    throw new ValidationError('TARSIER_OIDC_CLIENT_ID', 'is required when TARSIER_OIDC_ISSUER is set');
  return {
    ldap: ldapUrl
      ? {
          url: ldapUrl,
          userDn: get('ldapUserDn')!,
          groupBase: get('ldapGroupBase'),
          groupRoles: parseGroupRoles(get('ldapGroupRoles'), 'TARSIER_LDAP_GROUP_ROLES'),
        }
      : undefined,
    oidc: oidcIssuer
      ? {
          issuer: oidcIssuer,
          clientId: get('oidcClientId')!,
          clientSecret: get('oidcClientSecret'),
          groupsClaim: get('oidcGroupsClaim') ?? 'groups',
          scopes: oidcScopes(get('oidcScopes')),
          groupRoles: parseGroupRoles(get('oidcGroupRoles'), 'TARSIER_OIDC_GROUP_ROLES'),
        }
      : undefined,
  };
}

/** The scopes to ask for, `openid` first and always present; commas are taken for spaces. */
function oidcScopes(text: string | undefined): string {
  const scopes = (text ?? 'openid profile email').split(/[\s,]+/).filter(Boolean);
  return ['openid', ...new Set(scopes.filter((s) => s !== 'openid'))].join(' ');
}

/** Parses `1,2,3` into whole numbers of days, largest first. */
function dayList(name: SettingName, text: string | undefined): number[] {
  const days = (text ?? '')
    .split(',')
    .filter((d) => d.trim() !== '')
    .map((d) => positiveInt(name, d.trim(), 36_500));
  return [...new Set(days)].sort((a, b) => b - a);
}

function jobSettings(overrides: Overrides, env: NodeJS.ProcessEnv): Pick<ServerConfig, 'jobs' | 'clockOffsetSeconds'> {
  const get = (n: SettingName) => pick(n, overrides, env);
  const intervals: Record<string, number> = {};
  for (const [name, value] of Object.entries(parseGroupRoles(get('jobIntervals'), 'TARSIER_JOB_INTERVALS'))) {
    const seconds = Number(value[value.length - 1]);
    if (!Number.isInteger(seconds) || seconds < 1)
      throw new ValidationError('TARSIER_JOB_INTERVALS', `${name}: '${value}' is not a whole number of seconds`);
    intervals[name] = seconds;
  }
  const onOff = (get('jobs') ?? 'on').toLowerCase();
  if (onOff !== 'on' && onOff !== 'off') throw new ValidationError('TARSIER_JOBS', 'must be on or off');
  const offset = Number(get('clockOffsetSeconds') ?? '0');
  if (!Number.isInteger(offset))
    throw new ValidationError('TARSIER_CLOCK_OFFSET_SECONDS', `'${get('clockOffsetSeconds')}' is not a whole number`);
  return {
    jobs: {
      enabled: onOff === 'on',
      intervals,
      timeoutSeconds: Math.max(1, positiveInt('jobTimeoutSeconds', get('jobTimeoutSeconds'), 86_400)),
      expiryNoticeDays: dayList('expiryNoticeDays', get('expiryNoticeDays')),
      authorityNoticeDays: dayList('authorityNoticeDays', get('authorityNoticeDays')),
      deployGraceMinutes: positiveInt('deployGraceMinutes', get('deployGraceMinutes'), 525_600),
    },
    clockOffsetSeconds: offset,
  };
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
    pendingPollSeconds: positiveInt('pendingPollSeconds', pick('pendingPollSeconds', overrides, env), 3600),
    logLevel: pick('logLevel', overrides, env) ?? 'info',
    sqliteSynchronous: sync,
    publicUrl: (pick('publicUrl', overrides, env) ?? '').replace(/\/+$/, ''),
    outbound: parseOutboundPolicy(pick('outboundAllow', overrides, env) ?? ''),
    ...externalIdentity(overrides, env),
    ...jobSettings(overrides, env),
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
