// Identity and access over HTTP on SQLite and PostgreSQL: users and the password policy, lockout, disabled
// accounts, API keys (scoped, expired, revoked), web sessions with CSRF, and who may act on whose certificates.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from './harness/databases.ts';
import { type RunningTarsier, startTarsier, TEST_USER_PASSWORD } from './harness/tarsier.ts';

describe.each(testDialects())('identity and access on %s', (dialect) => {
  let t: RunningTarsier;
  let ca: any;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    t = await startTarsier({ dialect });
    ca = (
      await t.api('POST', '/api/v1/authorities', { name: 'Team CA', type: 'root', subject: { commonName: 'Team CA' } })
    ).json;
    alice = await t.userToken('alice', ['user', 'payments']);
    bob = await t.userToken('bob', ['user', 'shop']);
  });
  afterAll(async () => t?.stop());

  const login = (username: string, password: string, extra = {}) =>
    t.api('POST', '/api/v1/auth/login', { username, password, ...extra });

  it('creates users under a password policy, with known roles only', async () => {
    const weak = await t.api('POST', '/api/v1/users', { username: 'carol', password: 'short', roles: ['user'] });
    expect(weak.status).toBe(400);
    expect(weak.json.error.message).toBe('password: must be at least 12 characters long');
    const withName = await t.api('POST', '/api/v1/users', {
      username: 'carol',
      password: 'carol-is-great-2026',
      roles: ['user'],
    });
    expect(withName.json.error.message).toBe('password: must not contain the username');
    const badRole = await t.api('POST', '/api/v1/users', {
      username: 'carol',
      password: TEST_USER_PASSWORD,
      roles: ['wizards'],
    });
    expect(badRole.json.error.message).toMatch(/^roles: unknown role\(s\): wizards/);
    const ok = await t.api('POST', '/api/v1/users', {
      username: 'carol',
      password: TEST_USER_PASSWORD,
      roles: ['security'],
      email: 'carol@example.com',
    });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.json).toMatchObject({
      username: 'carol',
      roles: ['security'],
      source: 'local',
      disabled: false,
      email: 'carol@example.com',
    });
    expect(ok.json).not.toHaveProperty('password_hash');
    expect((await t.api('POST', '/api/v1/users', { username: 'carol', password: TEST_USER_PASSWORD })).status).toBe(
      409,
    );
    const me = await t.api('GET', '/api/v1/auth/me', undefined, alice);
    expect(me.json).toMatchObject({ username: 'alice', roles: ['payments', 'user'] });
    expect(me.json.permissions).toContain('certificate:issue');
    expect(me.json.permissions).not.toContain('user:manage');
  });

  it('locks an account after five failed sign-ins, and audits each denial', async () => {
    await t.api('POST', '/api/v1/users', { username: 'dave', password: TEST_USER_PASSWORD, roles: ['user'] });
    for (let i = 0; i < 5; i++) expect((await login('dave', 'wrong-password-xx')).status).toBe(401);
    const locked = await login('dave', TEST_USER_PASSWORD);
    expect(locked.status).toBe(401);
    expect(locked.json.error.message).toMatch(/locked until/);
    const rows = await t.services.db
      .selectFrom('audit_events')
      .select(['outcome', 'details'])
      .where('actor', '=', 'user:dave')
      .execute();
    expect(rows.filter((r) => r.outcome === 'denied')).toHaveLength(6);
    // An admin's password reset unlocks.
    const dave = (await t.api('GET', '/api/v1/users')).json.items.find((u: any) => u.username === 'dave');
    await t.api('PATCH', `/api/v1/users/${dave.id}`, { password: 'another-long-secret-42' });
    expect((await login('dave', 'another-long-secret-42')).status).toBe(200);
  });

  it('refuses disabled accounts and their existing tokens', async () => {
    const token = await t.userToken('erin', ['user']);
    expect((await t.api('GET', '/api/v1/certificates', undefined, token)).status).toBe(200);
    const erin = (await t.api('GET', '/api/v1/users')).json.items.find((u: any) => u.username === 'erin');
    expect((await t.api('PATCH', `/api/v1/users/${erin.id}`, { disabled: true })).status).toBe(200);
    expect((await t.api('GET', '/api/v1/certificates', undefined, token)).status).toBe(401);
    expect((await login('erin', TEST_USER_PASSWORD)).json.error.message).toBe('this account is disabled');
  });

  it('issues API keys shown once, scoped, revocable, expiring, with last use recorded', async () => {
    const created = await t.api(
      'POST',
      '/api/v1/api-keys',
      { name: 'ci', scopes: ['certificate:read'], expiresInDays: 30 },
      alice,
    );
    expect(created.status, created.text).toBe(201);
    const key = created.json.key as string;
    expect(key).toMatch(/^tsk_/);
    expect(created.json.prefix).toBe(key.slice(0, 12));
    expect((await t.api('GET', '/api/v1/certificates', undefined, key)).status).toBe(200);
    const issue = await t.api('POST', '/api/v1/certificates', { authorityId: ca.id, commonName: 'k.example.com' }, key);
    expect(issue.status).toBe(403);
    expect(issue.json.error.message).toBe('this API key lacks the permission certificate:issue');
    const denial = await t.services.db
      .selectFrom('audit_events')
      .select(['actor', 'action', 'outcome', 'client_address'])
      .where('outcome', '=', 'denied')
      .where('actor', 'like', `api-key:${created.json.id}:%`)
      .executeTakeFirstOrThrow();
    expect(denial).toEqual({
      actor: `api-key:${created.json.id}:alice`,
      action: 'http.post /api/v1/certificates',
      outcome: 'denied',
      client_address: '127.0.0.1',
    });
    const listed = (await t.api('GET', '/api/v1/api-keys', undefined, alice)).json.items;
    expect(listed).toHaveLength(1);
    expect(listed[0]).not.toHaveProperty('key');
    expect(listed[0].lastUsedAt).not.toBeNull();
    const stored = await t.services.db.selectFrom('api_keys').select('key_hash').execute();
    expect(JSON.stringify(stored)).not.toContain(key);
    expect((await t.api('POST', `/api/v1/api-keys/${created.json.id}/revoke`, {}, bob)).status).toBe(404); // not bob's
    expect((await t.api('POST', `/api/v1/api-keys/${created.json.id}/revoke`, {}, alice)).status).toBe(200);
    const revoked = await t.api('GET', '/api/v1/certificates', undefined, key);
    expect(revoked.status).toBe(401);
    expect(revoked.json.error.message).toBe("API key 'ci' was revoked");

    const old = (await t.api('POST', '/api/v1/api-keys', { name: 'old' }, alice)).json;
    await sql`UPDATE api_keys SET expires_at = ${'2020-01-01T00:00:00.000Z'} WHERE id = ${old.id}`.execute(
      t.services.db,
    );
    const expired = await t.api('GET', '/api/v1/certificates', undefined, old.key);
    expect(expired.status).toBe(401);
    expect(expired.json.error.message).toMatch(/^API key 'old' expired at 2020-01-01/);
    const tooMuch = await t.api('POST', '/api/v1/api-keys', { name: 'x', scopes: ['user:manage'] }, alice);
    expect(tooMuch.status).toBe(403);
    expect((await t.api('GET', '/api/v1/certificates', undefined, `${key.slice(0, -2)}xx`)).status).toBe(401);
  });

  it('runs web sessions on an http-only cookie and refuses changes without the CSRF token', async () => {
    const res = await fetch(`${t.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: TEST_USER_PASSWORD, session: true }),
    });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^tarsier_session=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Strict; Max-Age=\d+$/);
    const body: any = await res.json();
    expect(body.token).toBe('');
    const jar = cookie.split(';')[0]!;
    const call = (method: string, path: string, payload?: unknown, csrf?: string) =>
      fetch(`${t.url}${path}`, {
        method,
        headers: { cookie: jar, 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
        body: payload === undefined ? undefined : JSON.stringify(payload),
      });
    expect((await call('GET', '/api/v1/certificates')).status).toBe(200);
    const forged = await call('POST', '/api/v1/certificates', { authorityId: ca.id, commonName: 'csrf.example.com' });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as any).error.message).toMatch(/X-CSRF-Token/);
    expect(
      (await call('POST', '/api/v1/certificates', { authorityId: ca.id, commonName: 'csrf.example.com' }, 'wrong'))
        .status,
    ).toBe(403);
    expect(
      (
        await call(
          'POST',
          '/api/v1/certificates',
          { authorityId: ca.id, commonName: 'csrf.example.com' },
          body.csrfToken,
        )
      ).status,
    ).toBe(201);
    const out = await call('POST', '/api/v1/auth/logout', {});
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await call('GET', '/api/v1/certificates')).status).toBe(401);
  });

  it("lets only a certificate's team act on it; everyone else sees metadata only", async () => {
    const mine = await t.api(
      'POST',
      '/api/v1/certificates',
      { authorityId: ca.id, commonName: 'pay.example.com' },
      alice,
    );
    expect(mine.status, mine.text).toBe(201);
    expect(mine.json.owner).toBe('payments'); // alice's only team
    const id = mine.json.id;
    expect((await t.api('GET', `/api/v1/certificates/${id}`, undefined, bob)).status).toBe(200);
    const steal = await t.api('POST', `/api/v1/certificates/${id}/export`, { format: 'pem', include: ['key'] }, bob);
    expect(steal.status).toBe(403);
    expect(steal.json.error.message).toBe(
      `certificate ${id} belongs to 'payments'; only its owners or an admin may export its key`,
    );
    expect((await t.api('POST', `/api/v1/certificates/${id}/revoke`, {}, bob)).status).toBe(403);
    expect((await t.api('POST', `/api/v1/certificates/${id}/rotate`, {}, bob)).status).toBe(403);
    expect((await t.api('PATCH', `/api/v1/certificates/${id}`, { owner: 'shop' }, bob)).status).toBe(403);
    const own = await t.api('POST', `/api/v1/certificates/${id}/export`, { format: 'pem', include: ['key'] }, alice);
    expect(own.status).toBe(200);
    expect(own.text).toContain('PRIVATE KEY');
    const events = (await t.api('GET', `/api/v1/certificates/${id}`)).json.events.filter(
      (e: any) => e.action === 'certificate.export-key',
    );
    expect(events.map((e: any) => [e.actor, e.outcome])).toEqual([
      ['user:bob', 'denied'],
      ['user:alice', 'success'],
    ]);
    const foreign = await t.api(
      'POST',
      '/api/v1/certificates',
      { authorityId: ca.id, commonName: 'x.example.com', owner: 'payments' },
      bob,
    );
    expect(foreign.status).toBe(403);
    expect(foreign.json.error.message).toMatch(/^owner: you may give certificates only to your teams \(shop\)/);
  });

  it('restricts an authority to some roles', async () => {
    const restricted = (
      await t.api('POST', '/api/v1/authorities', {
        name: 'Payments CA',
        type: 'root',
        subject: { commonName: 'Payments CA' },
        allowedRoles: ['payments'],
      })
    ).json;
    const denied = await t.api(
      'POST',
      '/api/v1/certificates',
      { authorityId: restricted.id, commonName: 'a.example.com' },
      bob,
    );
    expect(denied.status).toBe(403);
    expect(denied.json.error.message).toBe("authority 'Payments CA' is restricted to the roles payments");
    expect(
      (await t.api('POST', '/api/v1/certificates', { authorityId: restricted.id, commonName: 'a.example.com' }, alice))
        .status,
    ).toBe(201);
  });

  it('manages team roles; built-in roles stay', async () => {
    const roles = (await t.api('GET', '/api/v1/roles')).json.items;
    expect(roles.filter((r: any) => r.builtin).map((r: any) => r.name)).toEqual([
      'admin',
      'operator',
      'security',
      'user',
    ]);
    expect(roles.find((r: any) => r.name === 'payments').members.map((m: any) => m.username)).toEqual(['alice']);
    const admin = roles.find((r: any) => r.name === 'admin');
    expect((await t.api('DELETE', `/api/v1/roles/${admin.id}`)).status).toBe(422);
    expect((await t.api('POST', '/api/v1/roles', { name: 'Bad Name' })).status).toBe(400);
    const temp = (await t.api('POST', '/api/v1/roles', { name: 'temp-team' })).json;
    expect((await t.api('DELETE', `/api/v1/roles/${temp.id}`)).status).toBe(204);
  });

  it('changes one’s own password after proving the current one', async () => {
    const token = await t.userToken('frank', ['user']);
    const wrong = await t.api(
      'POST',
      '/api/v1/auth/password',
      { currentPassword: 'nope', newPassword: 'a-brand-new-secret-1' },
      token,
    );
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.message).toMatch(/^currentPassword: /);
    expect(
      (
        await t.api(
          'POST',
          '/api/v1/auth/password',
          { currentPassword: TEST_USER_PASSWORD, newPassword: 'a-brand-new-secret-1' },
          token,
        )
      ).status,
    ).toBe(204);
    expect((await login('frank', 'a-brand-new-secret-1')).status).toBe(200);
  });
});
