// Directory and single sign-on through the web UI in real headless Chromium: LDAP users of a real slapd sign in
// on the sign-in page and see what their group's role allows; a wrong directory password is told plainly; an OIDC
// user goes through a real oidc-provider's login and consent pages and comes back signed in with the groups claim
// mapped to roles. Each result is checked in the page and through the API with the browser's own session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuild, type RunningBrowser, screenshots, signOut, startBrowser } from './harness/browser.ts';
import { testDialects } from './harness/databases.ts';
import { type RunningOidcProvider, startOidcProvider } from './harness/oidc-provider.ts';
import { LDAP_GROUP_BASE, LDAP_USER_DN, type RunningSlapd, startSlapd } from './harness/slapd.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

const PASSWORDS = { sam: 'sam-directory-pw', olga: 'olga-directory-pw', oscar: 'oscar-provider-pw' };
const GROUP_ROLES = 'pki-security=security,pki-operators=operator';

describe.each(testDialects())('LDAP and OIDC sign-in in Chromium (%s)', (dialect) => {
  let slapd: RunningSlapd;
  let op: RunningOidcProvider;
  let t: RunningTarsier;
  let b: RunningBrowser;
  const pageErrors: string[] = [];

  /** Who the browser's session cookie belongs to, asked from the page's origin with the page's cookies. */
  const me = async () => {
    const res = await b.context.request.get(`${t.url}/api/v1/auth/me`);
    return { status: res.status(), json: await res.json() };
  };
  async function ldapSignIn(username: string, password: string) {
    await b.page.getByRole('radio', { name: 'Directory (LDAP)' }).check();
    await b.page.getByLabel('User name').fill(username);
    await b.page.getByLabel('Password').fill(password);
    await b.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  beforeAll(async () => {
    await ensureWebBuild();
    [slapd, op, b] = await Promise.all([
      startSlapd({
        people: [
          { uid: 'sam', password: PASSWORDS.sam, cn: 'Sam Security', mail: 'sam@example.org' },
          { uid: 'olga', password: PASSWORDS.olga, cn: 'Olga Operator' },
        ],
        groups: { 'pki-security': ['sam'], 'pki-operators': ['olga'] },
      }),
      startOidcProvider({
        accounts: [
          {
            sub: 'u-oscar',
            preferred_username: 'oscar',
            name: 'Oscar',
            groups: ['pki-operators', 'unmapped'],
            password: PASSWORDS.oscar,
          },
        ],
        pages: true,
      }),
      startBrowser(),
    ]);
    t = await startTarsier({
      dialect,
      settings: {
        ldapUrl: slapd.url,
        ldapUserDn: LDAP_USER_DN,
        ldapGroupBase: LDAP_GROUP_BASE,
        ldapGroupRoles: GROUP_ROLES,
        oidcIssuer: op.issuer,
        oidcClientId: 'tarsier',
        oidcClientSecret: 'tarsier-client-secret',
        oidcGroupRoles: GROUP_ROLES,
      },
    });
    op.addClient({
      clientId: 'tarsier',
      clientSecret: 'tarsier-client-secret',
      redirectUri: `${t.url}/api/v1/auth/oidc/callback`,
    });
    b.page.on('pageerror', (e) => pageErrors.push(e.message));
    // The 401s of a signed-out page and of a refused password are expected; anything else is not.
    b.page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 401/.test(m.text())) pageErrors.push(`${m.text()} ${m.location().url}`);
    });
  });
  afterAll(async () => {
    await b?.stop();
    await t?.stop();
    await op?.stop();
    await slapd?.stop();
  });

  it('offers the directory and single sign-on on the sign-in page, and screenshots it', async () => {
    const { page } = b;
    await page.goto(t.url);
    await page.getByRole('heading', { name: 'Sign in to Tarsier' }).waitFor();
    await page.getByRole('radio', { name: 'Directory (LDAP)' }).waitFor();
    expect(await page.getByRole('radio', { name: 'Tarsier account' }).isChecked()).toBe(true);
    await page.getByRole('link', { name: 'Sign in with single sign-on (OIDC)' }).waitFor();
    await screenshots(page, `${dialect}-sign-in-sso`);
  });

  it('tells a directory user with a wrong password so on the page, and stays usable', async () => {
    const { page } = b;
    await page.goto(t.url);
    await ldapSignIn('sam', 'not-sams-password');
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('wrong username or password');
    await page.getByRole('heading', { name: 'Sign in to Tarsier' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign in', exact: true }).isEnabled()).toBe(true);
    expect((await me()).status).toBe(401);
    await screenshots(page, `${dialect}-sign-in-ldap-wrong-password`);
  });

  it('signs in an LDAP security reviewer (no Request link) and an LDAP operator (Request link)', async () => {
    const { page } = b;
    await page.goto(t.url);
    await ldapSignIn('sam', PASSWORDS.sam);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Approvals' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Request' }).count()).toBe(0);
    expect(await page.locator('.who').textContent()).toBe('sam');
    let who = await me();
    expect(who.json).toMatchObject({ username: 'sam', roles: ['security'] });
    expect(who.json.permissions).not.toContain('certificate:issue');
    await screenshots(page, `${dialect}-dashboard-ldap-security`);

    await signOut(page);
    await ldapSignIn('olga', PASSWORDS.olga);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await nav.getByRole('link', { name: 'Request' }).click();
    await page.getByLabel('Authority or issuer').waitFor();
    who = await me();
    expect(who.json).toMatchObject({ username: 'olga', roles: ['operator'] });
    const users = (await t.api('GET', '/api/v1/users')).json.items as { username: string; source: string }[];
    expect(users.filter((u) => u.source === 'ldap').map((u) => u.username)).toEqual(['olga', 'sam']);
    await signOut(page);
  });

  it('signs an OIDC user in through the provider login and consent pages, groups claim mapped to roles', async () => {
    const { page } = b;
    await page.goto(t.url);
    await page.getByRole('link', { name: 'Sign in with single sign-on (OIDC)' }).click();
    await page.waitForURL((u) => u.origin === op.issuer);
    await page.getByLabel('Provider user name').fill('oscar');
    await page.getByLabel('Provider password').fill('not-oscars-password');
    await page.getByRole('button', { name: 'Sign in to the provider' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('wrong user name or password');
    await page.getByLabel('Provider user name').fill('oscar');
    await page.getByLabel('Provider password').fill(PASSWORDS.oscar);
    await page.getByRole('button', { name: 'Sign in to the provider' }).click();
    await page.getByRole('heading', { name: 'Test provider: allow access' }).waitFor();
    expect(await page.getByText('tarsier asks for').textContent()).toBe('tarsier asks for: openid, profile, email');
    await page.getByRole('button', { name: 'Allow' }).click();

    await page.waitForURL((u) => u.origin === t.url);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    expect(await page.locator('.who').textContent()).toBe('oscar');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Request' }).waitFor();
    const who = await me();
    expect(who.json).toMatchObject({ username: 'oscar', roles: ['operator'] });
    const users = (await t.api('GET', '/api/v1/users')).json.items as { username: string; source: string }[];
    expect(users.find((u) => u.username === 'oscar')).toMatchObject({ source: 'oidc', displayName: 'Oscar' });
    await screenshots(page, `${dialect}-dashboard-oidc-operator`);

    // A change from the page works with the CSRF token an OIDC sign-in hands over in its cookie.
    await page.getByRole('link', { name: 'Domains' }).click();
    await page.getByLabel('Domain name').fill('sso.example.test');
    await page.getByRole('button', { name: 'Register domain' }).click();
    await page.getByRole('cell', { name: 'sso.example.test', exact: true }).waitFor();
    await signOut(page);
    expect((await me()).status).toBe(401);
  });

  it('brings a user who refuses consent back to the sign-in page with the reason, not to a JSON error', async () => {
    const { page } = b;
    await b.context.clearCookies(); // a new provider session: its login and consent pages again
    await page.goto(t.url);
    await page.getByRole('link', { name: 'Sign in with single sign-on (OIDC)' }).click();
    await page.getByLabel('Provider user name').fill('oscar');
    await page.getByLabel('Provider password').fill(PASSWORDS.oscar);
    await page.getByRole('button', { name: 'Sign in to the provider' }).click();
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.waitForURL(`${t.url}/`);
    await page.getByRole('heading', { name: 'Sign in to Tarsier' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toBe(
      'Single sign-on failed: the identity provider refused the sign-in (access_denied: the user did not allow access)',
    );
    expect((await me()).status).toBe(401);
    await screenshots(page, `${dialect}-sign-in-oidc-refused`);
    // Shown once: the page loaded again has nothing to report.
    await page.reload();
    await page.getByRole('link', { name: 'Sign in with single sign-on (OIDC)' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
