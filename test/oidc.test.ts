// OIDC sign-in end to end against a real OpenID provider (oidc-provider) in this process: the whole redirect
// flow driven by a cookie-jar HTTP client, PKCE S256, groups mapped to roles, a web session usable with its CSRF
// cookie, refused tampering (state, another browser, open redirects), provider errors and outages, audit events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeReturnTo } from '../src/modules/identity/oidc.ts';
import { browser, type RunningOidcProvider, startOidcProvider } from './harness/oidc-provider.ts';
import { startTarsierWith, type TarsierWithSettings } from './harness/tarsier-settings.ts';

const CALLBACK = '/api/v1/auth/oidc/callback';

describe('safeReturnTo', () => {
  it('keeps paths on this server and replaces everything else by /', () => {
    expect(safeReturnTo('/certificates?status=expiring#top')).toBe('/certificates?status=expiring#top');
    for (const bad of [undefined, '', 'https://evil.example/', '//evil.example', '/\\evil.example', 'evil', '/a\nb'])
      expect(safeReturnTo(bad), String(bad)).toBe('/');
  });
});

describe('OIDC sign-in', () => {
  let op: RunningOidcProvider;
  let t: TarsierWithSettings;

  /** Runs the flow in a fresh browser up to (not into) the first Tarsier page after the callback. */
  async function signIn(account: string | { error: string; description: string }, returnTo = '/') {
    op.signInAs(account);
    const b = browser();
    const start = `${t.url}/api/v1/auth/oidc/login?returnTo=${encodeURIComponent(returnTo)}`;
    const hops = await b.follow(start, (u) => u.origin === t.url && !u.pathname.startsWith('/api/v1/auth/oidc/'));
    return { b, hops, last: hops.at(-1)! };
  }
  /** Runs the flow up to the callback without calling it: the URL the provider sent the browser to. */
  async function untilCallback(account: string) {
    op.signInAs(account);
    const b = browser();
    const hops = await b.follow(`${t.url}/api/v1/auth/oidc/login`, (u) => u.pathname === CALLBACK);
    return { b, callback: new URL(hops.at(-1)!.res.headers.get('location')!, hops.at(-1)!.url) };
  }
  const me = (b: ReturnType<typeof browser>) =>
    b.fetch(`${t.url}/api/v1/auth/me`).then(async (r) => ({ status: r.status, json: await r.json() }));

  beforeAll(async () => {
    op = await startOidcProvider({
      accounts: [
        {
          sub: 'u-alice',
          preferred_username: 'alice',
          email: 'alice@example.org',
          name: 'Alice',
          groups: ['pki-admins'],
        },
        { sub: 'u-bob', preferred_username: 'bob', name: 'Bob', groups: ['payments', 'unmapped'] },
        { sub: 'u-eve', email: 'eve@example.org' },
      ],
    });
    t = await startTarsierWith({
      oidcIssuer: op.issuer,
      oidcClientId: 'tarsier',
      oidcClientSecret: 'tarsier-client-secret',
      oidcGroupRoles: 'pki-admins=admin,payments=payments,payments=user',
    });
    op.addClient({ clientId: 'tarsier', clientSecret: 'tarsier-client-secret', redirectUri: `${t.url}${CALLBACK}` });
    expect((await t.api('POST', '/api/v1/roles', { name: 'payments' }, t.adminToken)).status).toBe(201);
  });
  afterAll(async () => {
    await t?.stop();
    await op?.stop();
  });

  it('signs alice in through the whole redirect flow, with PKCE S256, into a web session with her roles', async () => {
    const { b, hops, last } = await signIn('u-alice', '/certificates?status=expiring');
    const toProvider = new URL(hops[0]!.res.headers.get('location')!);
    expect(hops[0]!.res.status).toBe(302);
    expect(toProvider.origin).toBe(op.issuer);
    const auth = op.requests.filter((u) => u.pathname === '/auth').at(-1)!;
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(auth.searchParams.get('state')).toBeTruthy();
    expect(auth.searchParams.get('nonce')).toBeTruthy();
    expect(auth.searchParams.get('redirect_uri')).toBe(`${t.url}${CALLBACK}`);

    expect(last.url.pathname).toBe(CALLBACK);
    expect(last.res.status).toBe(302);
    expect(last.res.headers.get('location')).toBe('/certificates?status=expiring');
    expect(last.res.headers.getSetCookie().join('\n')).toMatch(/tarsier_session=[^;]+; Path=\/; HttpOnly; Secure/);

    const who = await me(b);
    expect(who.status).toBe(200);
    expect(who.json).toMatchObject({ username: 'alice', roles: ['admin'] });
    const users = (await t.api('GET', '/api/v1/users', undefined, t.adminToken)).json.items;
    expect(users.find((u: { username: string }) => u.username === 'alice')).toMatchObject({
      source: 'oidc',
      email: 'alice@example.org',
      displayName: 'Alice',
    });

    // The CSRF token arrives in the script-readable tarsier_csrf cookie; changes need it.
    const csrf = b.cookie(t.url, 'tarsier_csrf');
    expect(csrf).toBeTruthy();
    const post = (headers: Record<string, string>) =>
      b.fetch(`${t.url}/api/v1/roles`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name: `team-${headers['x-csrf-token'] ? 'with' : 'without'}-csrf` }),
      });
    expect((await post({})).status).toBe(403);
    expect((await post({ 'x-csrf-token': csrf! })).status).toBe(201);
  });

  it('maps groups read from userinfo, and names a user without preferred_username by e-mail', async () => {
    const asked = op.requests.length;
    const bob = await signIn('u-bob');
    expect(op.requests.slice(asked).some((u) => u.pathname === '/me')).toBe(true);
    expect(bob.last.res.headers.get('location')).toBe('/');
    expect((await me(bob.b)).json).toMatchObject({ username: 'bob', roles: ['payments', 'user'] });
    const eve = await signIn('u-eve');
    expect((await me(eve.b)).json).toMatchObject({ username: 'eve@example.org', roles: [], permissions: [] });
  });

  it('never redirects off the server after sign-in', async () => {
    for (const returnTo of ['https://evil.example/', '//evil.example/x']) {
      const { last } = await signIn('u-alice', returnTo);
      expect(last.res.headers.get('location'), returnTo).toBe('/');
    }
  });

  it('refuses a tampered state, and a callback replayed in another browser, with 401', async () => {
    const first = await untilCallback('u-alice');
    const tampered = new URL(first.callback);
    tampered.searchParams.set('state', `${tampered.searchParams.get('state')}x`);
    let res = await first.b.fetch(tampered.href);
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.message).toMatch(
      /this sign-in is unknown, expired or was started in another browser/,
    );

    const second = await untilCallback('u-alice');
    res = await browser().fetch(second.callback.href); // a login-CSRF attempt: the victim's browser has no state cookie
    expect(res.status).toBe(401);
    res = await second.b.fetch(second.callback.href); // the state was used up by the attempt
    expect(res.status).toBe(401);
    expect((await me(second.b)).status).toBe(401);
  });

  it('reports the provider refusing the sign-in with 401', async () => {
    const { last } = await signIn({ error: 'access_denied', description: 'the user said no' });
    expect(last.url.pathname).toBe(CALLBACK);
    expect(last.res.status).toBe(401);
    expect(((await last.res.json()) as any).error.message).toBe(
      'the identity provider refused the sign-in (access_denied: the user said no)',
    );
  });

  it('writes an audit event for every sign-in, granted or refused', async () => {
    const events = (await t.api('GET', '/api/v1/audit-events?action=auth.login&limit=500', undefined, t.adminToken))
      .json.items as { actor: string; outcome: string; details: Record<string, unknown> }[];
    const oidc = events.filter((e) => e.details.source === 'oidc');
    expect(oidc.find((e) => e.actor === 'user:alice' && e.outcome === 'success')?.details).toMatchObject({
      session: true,
      groups: ['pki-admins'],
      roles: ['admin'],
    });
    expect(oidc.some((e) => e.actor === 'user:bob' && e.outcome === 'success')).toBe(true);
    expect(oidc.filter((e) => e.outcome === 'denied' && e.details.reason === 'unknown state').length).toBe(3);
    expect(oidc.some((e) => String(e.details.reason).includes('access_denied'))).toBe(true);
  });

  it('answers 502 when the provider is unreachable at the token exchange', async () => {
    const { b, callback } = await untilCallback('u-alice');
    await op.stop();
    const res = await b.fetch(callback.href);
    expect(res.status).toBe(502);
    expect(((await res.json()) as any).error.message).toContain(`the OIDC provider ${op.issuer} did not answer`);
  });
});

describe('OIDC sign-in with the groups in the ID token', () => {
  let op: RunningOidcProvider;
  let t: TarsierWithSettings;
  beforeAll(async () => {
    op = await startOidcProvider({
      accounts: [{ sub: 'u-carol', preferred_username: 'carol', groups: 'pki-admins' as unknown as string[] }],
      claimsInIdToken: true,
    });
    t = await startTarsierWith({
      oidcIssuer: op.issuer,
      oidcClientId: 'tarsier',
      oidcClientSecret: 'tarsier-client-secret',
      oidcGroupsClaim: 'groups',
      oidcGroupRoles: 'pki-admins=operator',
    });
    op.addClient({ clientId: 'tarsier', clientSecret: 'tarsier-client-secret', redirectUri: `${t.url}${CALLBACK}` });
  });
  afterAll(async () => {
    await t?.stop();
    await op?.stop();
  });

  it('reads them from the ID token without asking userinfo, a single string counting as one group', async () => {
    const b = browser();
    const hops = await b.follow(`${t.url}/api/v1/auth/oidc/login`, (u) => u.origin === t.url && u.pathname === '/');
    expect(hops.at(-1)!.res.status).toBe(302);
    const me = await b.fetch(`${t.url}/api/v1/auth/me`);
    expect(await me.json()).toMatchObject({ username: 'carol', roles: ['operator'] });
    expect(op.requests.some((u) => u.pathname === '/me')).toBe(false);
  });
});

// Providers such as Okta and Keycloak send the groups claim only when its scope is asked for.
describe('OIDC sign-in with a provider that releases groups for their own scope', () => {
  let op: RunningOidcProvider;
  const started: TarsierWithSettings[] = [];
  beforeAll(async () => {
    op = await startOidcProvider({
      accounts: [{ sub: 'u-dora', preferred_username: 'dora', groups: ['pki-admins'] }],
      groupsScope: true,
    });
  });
  afterAll(async () => {
    for (const t of started) await t.stop();
    await op?.stop();
  });

  it.each([
    ['openid profile email', []],
    ['openid, profile email groups', ['operator']],
  ])('with TARSIER_OIDC_SCOPES="%s" the user gets roles %j', async (scopes, roles) => {
    const t = await startTarsierWith({
      oidcIssuer: op.issuer,
      oidcClientId: `tarsier-${started.length}`,
      oidcClientSecret: 'tarsier-client-secret',
      oidcScopes: scopes,
      oidcGroupRoles: 'pki-admins=operator',
    });
    started.push(t);
    op.addClient({
      clientId: `tarsier-${started.length - 1}`,
      clientSecret: 'tarsier-client-secret',
      redirectUri: `${t.url}${CALLBACK}`,
    });
    op.signInAs('u-dora');
    const b = browser();
    await b.follow(`${t.url}/api/v1/auth/oidc/login`, (u) => u.origin === t.url && u.pathname === '/');
    const auth = op.requests.filter((u) => u.pathname === '/auth').at(-1)!;
    expect(auth.searchParams.get('scope')).toBe(scopes.replace(',', ''));
    const me = await b.fetch(`${t.url}/api/v1/auth/me`);
    expect(await me.json()).toMatchObject({ username: 'dora', roles });
  });
});
