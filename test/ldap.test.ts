// LDAP sign-in end to end against a real OpenLDAP slapd: bind as the user, groups mapped to roles, users created
// on first sign-in and their roles following the directory, clear refusals, audit events, an unreachable directory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeDnValue, escapeFilterValue } from '../src/modules/identity/ldap.ts';
import { LDAP_GROUP_BASE, LDAP_USER_DN, type RunningSlapd, startSlapd } from './harness/slapd.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';
import { startTarsierWith, type TarsierWithSettings } from './harness/tarsier-settings.ts';

const PASSWORDS = { alice: 'alice-directory-pw', bob: 'bob-directory-pw', carol: 'carol-directory-pw' };

describe('LDAP value escaping', () => {
  it('escapes DN values (RFC 4514) and filter values (RFC 4515)', () => {
    expect(escapeDnValue('a,b+c"d\\e<f>g;h=i')).toBe('a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h\\=i');
    expect(escapeDnValue(' #lead trail ')).toBe('\\ #lead trail\\ ');
    expect(escapeDnValue('#x')).toBe('\\#x');
    expect(escapeFilterValue('*)(uid=*))(|(uid=*')).toBe('\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a');
    expect(escapeFilterValue('a\\b\0')).toBe('a\\5cb\\00');
  });
});

describe('LDAP sign-in', () => {
  let slapd: RunningSlapd;
  let t: TarsierWithSettings;
  const login = (username: string, password: string, extra: Record<string, unknown> = {}) =>
    t.api('POST', '/api/v1/auth/ldap/login', { username, password, ...extra });
  const me = async (token: string) => (await t.api('GET', '/api/v1/auth/me', undefined, token)).json;
  const loginEvents = async () =>
    (await t.api('GET', '/api/v1/audit-events?action=auth.login&limit=500', undefined, t.adminToken)).json.items as {
      actor: string;
      outcome: string;
      details: Record<string, unknown>;
    }[];

  beforeAll(async () => {
    slapd = await startSlapd({
      people: [
        { uid: 'alice', password: PASSWORDS.alice, cn: 'Alice Admin', mail: 'alice@example.org' },
        { uid: 'bob', password: PASSWORDS.bob, cn: 'Bob Payments', mail: 'bob@example.org' },
        { uid: 'carol', password: PASSWORDS.carol, cn: 'Carol Nogroup' },
        { uid: 'admin', password: 'directory-admin-pw', cn: 'Clashing Admin' },
      ],
      groups: { 'pki-admins': ['alice'], payments: ['bob'], unmapped: ['carol'] },
    });
    t = await startTarsierWith({
      ldapUrl: slapd.url,
      ldapUserDn: LDAP_USER_DN,
      ldapGroupBase: LDAP_GROUP_BASE,
      ldapGroupRoles: 'pki-admins=admin,payments=payments,payments=user',
    });
    const role = await t.api('POST', '/api/v1/roles', { name: 'payments' }, t.adminToken);
    expect(role.status).toBe(201);
  });
  afterAll(async () => {
    await t?.stop();
    await slapd?.stop();
  });

  it('creates alice on first sign-in, as an LDAP user, admin through pki-admins', async () => {
    const res = await login('alice', PASSWORDS.alice);
    expect(res.status, res.text).toBe(200);
    expect(res.json.token).toMatch(/^[\w-]{40,}$/);
    const who = await me(res.json.token);
    expect(who).toMatchObject({ username: 'alice', roles: ['admin'] });
    expect(who.permissions).toContain('user:manage');
    const users = (await t.api('GET', '/api/v1/users', undefined, t.adminToken)).json.items;
    expect(users.find((u: { username: string }) => u.username === 'alice')).toMatchObject({
      source: 'ldap',
      email: 'alice@example.org',
      displayName: 'Alice Admin',
      roles: ['admin'],
    });
  });

  it('gives bob the team role payments and user, and a session with cookie and CSRF token when asked', async () => {
    const res = await login('bob', PASSWORDS.bob, { session: true });
    expect(res.status, res.text).toBe(200);
    expect(res.json.token).toBe('');
    expect(res.json.csrfToken).toBeTruthy();
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^tarsier_session=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Strict/);
    const session = cookie.split(';')[0]!;
    const viaCookie = await t.api('GET', '/api/v1/auth/me', undefined, undefined, { cookie: session });
    expect(viaCookie.json).toMatchObject({ username: 'bob', roles: ['payments', 'user'] });
  });

  it('lets a user without mapped groups sign in, with no roles and no permissions', async () => {
    const res = await login('carol', PASSWORDS.carol);
    expect(res.status, res.text).toBe(200);
    expect(await me(res.json.token)).toMatchObject({ username: 'carol', roles: [], permissions: [] });
  });

  it('refuses a wrong password, an unknown user and an empty password with 401', async () => {
    for (const [username, password] of [
      ['alice', 'not-her-password'],
      ['nobody', 'whatever-password'],
      ['alice', ''],
      ['nobody', ''],
      ['*', PASSWORDS.alice],
      ['alice,ou=people', PASSWORDS.alice],
    ] as const) {
      const res = await login(username, password);
      expect(res.status, `${username}/${password}: ${res.text}`).toBe(401);
      expect(res.json.error).toMatchObject({ code: 'unauthenticated', message: 'wrong username or password' });
    }
    const users = (await t.api('GET', '/api/v1/users', undefined, t.adminToken)).json.items;
    expect(users.map((u: { username: string }) => u.username)).not.toContain('nobody');
  });

  it('follows group membership changes at the next sign-in', async () => {
    await slapd.setMembership('pki-admins', 'carol', true);
    let res = await login('carol', PASSWORDS.carol);
    expect(await me(res.json.token)).toMatchObject({ roles: ['admin'] });
    await slapd.setMembership('pki-admins', 'carol', false);
    res = await login('carol', PASSWORDS.carol);
    const who = await me(res.json.token);
    expect(who).toMatchObject({ roles: [], permissions: [] });
  });

  it('refuses to take over a local account of the same name with 409', async () => {
    const res = await login('admin', 'directory-admin-pw');
    expect(res.status, res.text).toBe(409);
    expect(res.json.error.message).toMatch(/exists as a local account/);
  });

  it('writes an audit event for every sign-in, granted or refused', async () => {
    const events = await loginEvents();
    const ldap = events.filter((e) => e.details.source === 'ldap');
    expect(ldap.find((e) => e.actor === 'user:alice' && e.outcome === 'success')?.details).toMatchObject({
      groups: ['pki-admins'],
      roles: ['admin'],
    });
    expect(
      ldap.some((e) => e.actor === 'ldap:alice' && e.outcome === 'denied' && e.details.reason === 'bad credentials'),
    ).toBe(true);
    expect(ldap.some((e) => e.actor === 'ldap:alice' && e.details.reason === 'empty password')).toBe(true);
    expect(ldap.some((e) => e.actor === 'ldap:nobody' && e.outcome === 'denied')).toBe(true);
    expect(ldap.some((e) => e.actor === 'ldap:admin' && e.outcome === 'denied')).toBe(true);
  });

  it('refuses a disabled account with 401 even though the directory accepts the password', async () => {
    const users = (await t.api('GET', '/api/v1/users', undefined, t.adminToken)).json.items;
    const bob = users.find((u: { username: string }) => u.username === 'bob');
    expect((await t.api('PATCH', `/api/v1/users/${bob.id}`, { disabled: true }, t.adminToken)).status).toBe(200);
    const res = await login('bob', PASSWORDS.bob);
    expect(res.status, res.text).toBe(401);
    expect(res.json.error.message).toBe('this account is disabled');
  });

  it('answers 502 naming the directory when it is unreachable, and recovers when it is back', async () => {
    await slapd.pause();
    try {
      const res = await login('alice', PASSWORDS.alice);
      expect(res.status, res.text).toBe(502);
      expect(res.json.error.code).toBe('upstream_failed');
      expect(res.json.error.message).toContain(`the LDAP directory at ${slapd.url} did not answer`);
      const events = await loginEvents();
      expect(events.some((e) => e.actor === 'ldap:alice' && e.outcome === 'failure')).toBe(true);
    } finally {
      await slapd.restart();
    }
    expect((await login('alice', PASSWORDS.alice)).status).toBe(200);
  });
});

describe('external sign-in when not configured', () => {
  let t: RunningTarsier;
  beforeAll(async () => {
    t = await startTarsier();
  });
  afterAll(async () => t?.stop());

  it('answers 404 saying so, for LDAP and OIDC', async () => {
    const res = await t.api('POST', '/api/v1/auth/ldap/login', { username: 'alice', password: 'x' });
    expect(res.status).toBe(404);
    expect(res.json.error.message).toBe('LDAP sign-in is not configured (set TARSIER_LDAP_URL)');
    for (const url of ['/api/v1/auth/oidc/login', '/api/v1/auth/oidc/callback?code=x&state=y']) {
      const oidc = await t.api('GET', url);
      expect(oidc.status, url).toBe(404);
      expect(oidc.json.error.message).toBe('OIDC sign-in is not configured (set TARSIER_OIDC_ISSUER)');
    }
  });
});
