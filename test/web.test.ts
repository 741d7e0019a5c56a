// The web UI end to end in real headless Chromium against a real Tarsier: sign in with the session cookie,
// request a certificate through the wizard, find it by search, download its PKCS#12 and open it with openssl,
// revoke it and read the audit trail; the key download hidden from a role without certificate:read-key; the
// wizard completed with the keyboard alone; an accessible name on every control; screenshots of each page.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaPair } from './harness/authorities.ts';
import {
  ensureWebBuild,
  type RunningBrowser,
  screenshots,
  signIn,
  signOut,
  startBrowser,
  tabTo,
  unnamedControls,
} from './harness/browser.ts';
import { type RunningCfssl, startCfssl } from './harness/cfssl.ts';
import { testDialects } from './harness/databases.ts';
import { startReceiver } from './harness/http-receiver.ts';
import { selfSignedEc, type Workdir, workdir } from './harness/openssl.ts';
import { type RunningTarsier, startTarsier, TEST_USER_PASSWORD } from './harness/tarsier.ts';
import { type NodeTlsServer, startNodeTls, startPlainTcp } from './harness/tls-servers.ts';

describe.each(testDialects())('web UI in Chromium (%s)', (dialect) => {
  let t: RunningTarsier;
  let b: RunningBrowser;
  let cfssl: RunningCfssl;
  /** A server presenting a self-signed certificate, and a port that does not speak TLS: for a source to find. */
  let selfSigned: NodeTlsServer;
  let plain: Awaited<ReturnType<typeof startPlainTcp>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let w: Workdir;
  let issuingName: string;
  let certificateId: number;
  /** What the page reported as broken: script errors, failed policy checks (CSP), console errors. */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    await ensureWebBuild();
    [t, b, cfssl] = await Promise.all([startTarsier({ dialect }), startBrowser(), startCfssl()]);
    b.page.on('pageerror', (e) => pageErrors.push(e.message));
    // Refused API calls (401 before sign-in, a 403 or 409 shown to the user) are expected; anything else is not.
    b.page.on('console', (m) => {
      if (m.type() === 'error' && !/status of (401|403|409)/.test(m.text())) pageErrors.push(m.text());
    });
    w = workdir();
    const pair = await createCaPair(t, w, 'Web');
    issuingName = pair.inter.name;
    for (const d of [{ name: 'example.test' }, { name: 'secure.example.test', sensitive: true }]) {
      const r = await t.api('POST', '/api/v1/domains', d);
      expect(r.status, r.text).toBe(201);
    }
    selfSigned = await startNodeTls(selfSignedEc(w, 'self', 'localhost'));
    plain = await startPlainTcp();
    receiver = await startReceiver();
    await t.userToken('auditor', ['security']);
    // Something for the dashboard's chart: certificates of two owners expiring within 90 days.
    for (const [i, days] of [20, 45, 45, 80].entries()) {
      const owner = i % 2 ? 'payments' : 'web';
      const body = { authorityId: pair.inter.id, commonName: `svc${i}.example.test`, validityDays: days, owner };
      const r = await t.api('POST', '/api/v1/certificates', body);
      expect(r.status, r.text).toBe(201);
    }
  });
  afterAll(async () => {
    await b?.stop();
    await t?.stop();
    await cfssl?.stop();
    await selfSigned?.stop();
    await plain?.stop();
    await receiver?.stop();
    w?.remove();
  });

  it('signs in with a Secure session cookie, requests a certificate through the wizard and finds it by search', async () => {
    const { page } = b;
    await signIn(page, t.url, 'admin', t.adminPassword);
    const page0 = await fetch(t.url);
    expect(page0.headers.get('content-security-policy')).toContain("default-src 'self'");
    const cookies = await b.context.cookies(t.url);
    expect(cookies.find((c) => c.name === 'tarsier_session')).toMatchObject({ httpOnly: true, secure: true });
    await page.getByRole('img', { name: '4 certificates expire in the next 90 days' }).waitFor();
    await page.getByLabel('Split by').selectOption('Owner');
    await page.getByText('payments: 2').waitFor();
    await screenshots(page, `${dialect}-dashboard`);

    await page.getByRole('link', { name: 'Request' }).click();
    await page.getByLabel('Authority or issuer').selectOption({ label: `${issuingName} (Tarsier intermediate)` });
    await page.getByRole('button', { name: 'Next' }).click();
    const nameInput = page.getByLabel('Name to add');
    await nameInput.fill('www');
    // Suggestions come from the registered domains.
    await expect
      .poll(() => page.locator('datalist option').evaluateAll((os) => os.map((o: any) => o.value)))
      .toContain('www.example.test');
    await nameInput.fill('bad name.example.test');
    await nameInput.press('Enter');
    await expect.poll(() => page.locator('.names li.error').textContent()).toContain('no spaces');
    await page.getByRole('button', { name: 'Remove bad name.example.test' }).click();
    await nameInput.fill('www.example.test');
    await nameInput.press('Enter');
    await expect.poll(() => page.locator('.names li').textContent()).toContain('in example.test');
    await screenshots(page, `${dialect}-request-names`);
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Request certificate' }).click();
    await page.getByRole('heading', { name: 'www.example.test' }).waitFor();
    certificateId = Number(page.url().split('/').pop());
    expect(certificateId).toBeGreaterThan(0);

    await page.getByRole('link', { name: 'Certificates' }).click();
    await page.getByRole('searchbox', { name: 'Search' }).fill('www.exam');
    await page.getByRole('link', { name: 'www.example.test' }).waitFor();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await screenshots(page, `${dialect}-certificates`);
    await page.getByRole('link', { name: 'www.example.test' }).click();
    await page.getByRole('heading', { name: 'www.example.test' }).waitFor();
  });

  it('downloads the PKCS#12 that openssl opens with the password, revokes with a reason and shows the audit trail', async () => {
    const { page } = b;
    await page.goto(`${t.url}/#/certificates/${certificateId}`);
    await page.getByRole('heading', { name: 'www.example.test' }).waitFor();
    expect(await page.getByRole('button', { name: 'Private key only (PEM)' }).count()).toBe(1);
    await page.getByLabel('PKCS#12 password').fill('p12-secret-pass');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download PKCS#12 with key' }).click(),
    ]);
    const file = w.write('www.p12', fs.readFileSync((await download.path())!));
    const opened = w.openssl(['pkcs12', '-in', file, '-passin', 'pass:p12-secret-pass', '-nodes']);
    expect(opened).toContain('-----BEGIN PRIVATE KEY-----');
    expect(opened).toMatch(/subject=.*CN\s*=\s*www\.example\.test/);
    expect(w.tryOpenssl(['pkcs12', '-in', file, '-passin', 'pass:wrong-password', '-nodes']).status).not.toBe(0);
    await screenshots(page, `${dialect}-certificate`);

    await page.getByLabel('Revocation reason').selectOption('keyCompromise');
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('revoked (keyCompromise)').waitFor();
    const api = await t.api('GET', `/api/v1/certificates/${certificateId}`);
    expect(api.json).toMatchObject({ status: 'revoked', revocationReason: 'keyCompromise' });
    const trail = page.locator('.trail');
    for (const action of ['certificate.issue', 'certificate.export-key', 'certificate.revoke'])
      await expect.poll(() => trail.textContent()).toContain(action);
    expect(await trail.textContent()).toContain('user:admin');
  });

  it('hides the key download from a role without certificate:read-key', async () => {
    const { page } = b;
    await signOut(page);
    await signIn(page, t.url, 'auditor', TEST_USER_PASSWORD);
    await page.goto(`${t.url}/#/certificates/${certificateId}`);
    await page.getByRole('heading', { name: 'www.example.test' }).waitFor();
    await page.getByRole('button', { name: 'Download PKCS#12' }).waitFor();
    expect(await page.getByRole('button', { name: /key/i }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Request' }).count()).toBe(0);
    await signOut(page);
  });

  it('completes the wizard with the keyboard alone and says when a name needs approval', async () => {
    const { page } = b;
    await signIn(page, t.url, 'admin', t.adminPassword);
    await page.goto(`${t.url}/#/request`);
    await page.getByRole('heading', { name: 'Request a certificate' }).waitFor();
    await tabTo(page, 'Authority or issuer');
    await page.keyboard.type(issuingName);
    await tabTo(page, 'Next');
    await page.keyboard.press('Enter');
    await tabTo(page, 'Name to add');
    await page.keyboard.type('api.secure.example.test');
    await page.keyboard.press('Enter');
    await page.getByText("This request will wait for a security reviewer's approval").waitFor();
    await page.keyboard.press('Enter'); // the name field is empty again: Enter moves to the next step
    await page.getByRole('heading', { name: 'Destinations' }).waitFor();
    await tabTo(page, 'Next');
    await page.keyboard.press('Enter');
    await tabTo(page, 'Why it is needed (for the reviewer)');
    await page.keyboard.type('payments API');
    await page.keyboard.press('Enter');
    await tabTo(page, 'Send for approval');
    await page.keyboard.press('Enter');
    await page.getByText(/Request \d+ is waiting for approval/).waitFor();
    const held = await t.api('GET', '/api/v1/requests?status=pending');
    expect(held.json.items).toEqual([
      expect.objectContaining({
        names: ['api.secure.example.test'],
        reason: 'payments API',
        requestedBy: 'user:admin',
      }),
    ]);
  });

  it('creates an authority and registers a CFSSL issuer through forms rendered from its schema, then issues from it', async () => {
    const { page } = b;
    await page.goto(`${t.url}/#/authorities`);
    await page.getByLabel('Name', { exact: true }).fill('UI Root');
    await page.getByLabel('Common name').fill('UI Root CA');
    await page.getByRole('button', { name: 'Create authority' }).click();
    await page.getByRole('cell', { name: 'UI Root', exact: true }).waitFor();
    const authorities = await t.api('GET', '/api/v1/authorities');
    expect(authorities.json.items).toContainEqual(
      expect.objectContaining({ name: 'UI Root', subjectDn: 'CN=UI Root CA' }),
    );

    await page.getByLabel('Issuer name').fill('cfssl-ui');
    await page.getByLabel('Plugin').selectOption({ label: 'CFSSL' });
    const url = page.getByLabel('url (required)');
    await url.fill('cfssl.test:8888');
    await page.getByRole('button', { name: 'Register issuer' }).click();
    await page.getByText('url does not have the expected form').waitFor();
    await url.fill(cfssl.url);
    await page.getByRole('button', { name: 'Register issuer' }).click();
    await page.getByRole('cell', { name: 'cfssl-ui', exact: true }).waitFor();
    await page.getByRole('cell', { name: 'ready', exact: true }).waitFor();

    await page.getByRole('link', { name: 'Request' }).click();
    await page.getByLabel('Authority or issuer').selectOption({ label: 'cfssl-ui (cfssl)' });
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Name to add').fill('cfssl.example.test');
    await page.getByLabel('Name to add').press('Enter');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Advanced').click();
    // The issuer's own per-certificate options, from its plugin's requestOptions schema.
    await page.getByLabel('profile').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Request certificate' }).click();
    await page.getByRole('heading', { name: 'cfssl.example.test' }).waitFor();
    const issued = await t.api('GET', `/api/v1/certificates/${page.url().split('/').pop()}`);
    expect(issued.json.issuerId).toBeGreaterThan(0);
    w.write('cfssl-leaf.pem', issued.json.pem);
    expect(w.openssl(['verify', '-x509_strict', '-CAfile', cfssl.caFile, 'cfssl-leaf.pem'])).toContain('OK');
  });

  it('turns notifications off for the selected rows in bulk, rotates from the detail page, sets automatic rotation, and rotates by filter after a dry run', async () => {
    const { page } = b;
    await page.goto(`${t.url}/#/certificates`);
    await page.getByRole('searchbox', { name: 'Search' }).fill('svc');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(4);
    await page.getByRole('checkbox', { name: 'Select svc0.example.test' }).check();
    await page.getByRole('checkbox', { name: 'Select svc1.example.test' }).check();
    await page.getByRole('button', { name: 'Notify off' }).click();
    await page.getByText('Notify off: 2 of 2 done').waitFor();
    const notify = async (q: string) => (await t.api('GET', `/api/v1/certificates?q=${q}`)).json.items[0].notify;
    expect([await notify('svc0'), await notify('svc1'), await notify('svc2')]).toEqual([false, false, true]);

    await page.getByRole('link', { name: 'svc2.example.test' }).click();
    await page.getByRole('heading', { name: 'svc2.example.test' }).waitFor();
    const oldId = Number(page.url().split('/').pop());
    await page.getByRole('button', { name: 'Rotate (new key, same names)' }).click();
    await expect.poll(() => Number(page.url().split('/').pop())).not.toBe(oldId);
    const newId = Number(page.url().split('/').pop());
    const rotated = await t.api('GET', `/api/v1/certificates/${newId}`);
    expect(rotated.json).toMatchObject({ commonName: 'svc2.example.test', replacesId: oldId });

    // Automatic rotation for the new one, set on its page.
    await page.getByLabel('Rotate automatically').check();
    await page.getByLabel('Days before expiry').fill('20');
    await page.getByRole('button', { name: 'Save rotation settings' }).click();
    await expect
      .poll(async () => (await t.api('GET', `/api/v1/certificates/${newId}/rotation`)).json)
      .toMatchObject({ enabled: true, daysBefore: 20 });

    // Bulk rotation by filter: a dry run first, then the rotation it announced.
    await page.goto(`${t.url}/#/certificates?owner=payments`);
    await page.getByText('Rotate all that match the filters').click();
    await page.getByRole('button', { name: 'Dry run: what would be rotated' }).click();
    const plan = page.getByRole('table', { name: 'Dry run: what would happen' });
    await plan.getByRole('link', { name: 'svc1.example.test' }).waitFor();
    expect(await plan.getByRole('cell', { name: 'rotate', exact: true }).count()).toBe(2);
    await page.getByRole('button', { name: 'Rotate 2 certificates now' }).click();
    const done = page.getByRole('table', { name: 'Rotation results' });
    await expect.poll(() => done.getByRole('cell', { name: 'rotated', exact: true }).count()).toBe(2);
    const svc1 = (await t.api('GET', '/api/v1/certificates?q=svc1&sort=-notAfter')).json.items;
    expect(svc1.map((c: { owner: string }) => c.owner)).toEqual(['payments', 'payments']);
  });

  it('creates a directory destination, tests it, deploys to it from the wizard and again from the detail page', async () => {
    const { page } = b;
    const dir = path.join(w.dir, 'deploy');
    fs.mkdirSync(dir);
    await page.goto(`${t.url}/#/destinations`);
    await page.getByLabel('Destination name').fill('local-dir');
    await page.getByLabel('Plugin').selectOption({ label: 'Directory' });
    await page.getByLabel('path (required)').fill(dir);
    await page.getByLabel('command', { exact: true }).fill('echo reloaded');
    await page.getByRole('button', { name: 'Create destination' }).click();
    await page.getByRole('cell', { name: 'local-dir', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Test local-dir' }).click();
    await page.getByRole('status').filter({ hasText: 'works' }).waitFor();
    await screenshots(page, `${dialect}-destinations-tested`);

    await page.getByRole('link', { name: 'Request' }).click();
    await page.getByLabel('Authority or issuer').selectOption({ label: `${issuingName} (Tarsier intermediate)` });
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Name to add').fill('deploy.example.test');
    await page.getByLabel('Name to add').press('Enter');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('checkbox', { name: 'local-dir (directory)' }).check();
    await screenshots(page, `${dialect}-request-destinations`);
    for (let i = 0; i < 2; i++) await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Request certificate' }).click();
    await page.getByRole('heading', { name: 'deploy.example.test' }).waitFor();
    // The files are there, chained to the test root, with the key that belongs to the certificate.
    const file = (ext: string) => path.join(dir, `deploy.example.test.${ext}`);
    const verify = ['verify', '-x509_strict', '-CAfile', 'root.pem', '-untrusted', file('chain.crt'), file('crt')];
    expect(w.openssl(verify)).toContain('OK');
    const publicKey = w.openssl(['x509', '-in', file('crt'), '-noout', '-pubkey']);
    expect(w.openssl(['pkey', '-in', file('key'), '-pubout'])).toBe(publicKey);
    expect(fs.statSync(file('key')).mode & 0o777).toBe(0o600);
    const deployments = page.getByRole('table', { name: 'Deployments, newest first' });
    await deployments.getByRole('cell', { name: 'success' }).waitFor();
    expect(await deployments.textContent()).toContain('reloaded');

    // Change the command, deploy again (no choice: where it went before) and see both deployments.
    await page.getByRole('link', { name: 'Destinations' }).click();
    await page.getByRole('button', { name: 'Edit local-dir' }).click();
    await page.getByLabel('command', { exact: true }).fill('echo deployed again');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'New destination' }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { name: 'deploy.example.test' }).waitFor();
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.getByText('Deployed to 1 of 1 destinations.').waitFor();
    await expect.poll(() => deployments.locator('tbody tr').count()).toBe(2);
    expect(await deployments.locator('tbody tr').first().textContent()).toContain('deployed again');
    await page.getByRole('button', { name: 'Check what is there now' }).click();
    await page.getByRole('list', { name: 'At each destination now' }).getByText('current').waitFor();
    await screenshots(page, `${dialect}-certificate-deployments`);

    // A destination something was deployed to keeps its history: deleting it is refused, and the page says why.
    await page.getByRole('link', { name: 'Destinations' }).click();
    await page.getByRole('button', { name: 'Delete local-dir' }).click();
    await page.getByRole('alert').waitFor();
    expect((await t.api('GET', '/api/v1/destinations')).json.items).toHaveLength(1);
  });

  it('runs a TLS source from its page: per-item errors, the problem on the dashboard, endpoints and where a certificate was seen', async () => {
    const { page } = b;
    await page.goto(`${t.url}/#/sources`);
    await page.getByLabel('Source name').fill('lab');
    await page.getByLabel('Plugin').selectOption({ label: 'TLS endpoints' });
    const target = `localhost@127.0.0.1:${selfSigned.port}`;
    await page.getByLabel('targets (required)').fill(`${target}\n127.0.0.1:${plain.port}`);
    await page.getByRole('button', { name: 'Create source' }).click();
    await page.getByRole('cell', { name: 'lab', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Run lab now' }).click();
    await page.getByRole('status').filter({ hasText: 'finished: 2 items, 1 failed, 1 new certificates' }).waitFor();
    const items = page.getByRole('table', { name: /^Items of run/ });
    await items.getByText('self-signed, untrusted-chain').waitFor();
    await page.getByLabel('Errors only').check();
    await expect.poll(() => items.locator('tbody tr').count()).toBe(1);
    expect(await items.locator('tbody tr').textContent()).toContain(`127.0.0.1:${plain.port}`);
    await screenshots(page, `${dialect}-sources-run`);

    const problems = await t.api('GET', '/api/v1/endpoints/problems');
    expect(problems.json).toEqual({
      endpoints: 1,
      byProblem: [
        { problem: 'self-signed', endpoints: 1 },
        { problem: 'untrusted-chain', endpoints: 1 },
      ],
    });
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('list', { name: 'Endpoints by problem' }).getByText('self-signed').waitFor();
    await page.getByRole('link', { name: '1 endpoint in use shows a problem' }).click();
    await page.getByLabel('Location contains').fill(String(selfSigned.port));
    const row = page.getByRole('row').filter({ hasText: `127.0.0.1:${selfSigned.port}` });
    await row.getByText('self-signed').waitFor();
    await screenshots(page, `${dialect}-endpoints-filtered`);
    await row.getByRole('link').first().click();
    await page.getByRole('heading', { name: 'localhost' }).waitFor();
    await page
      .getByRole('table', { name: 'Endpoints that have shown it' })
      .getByText(`tls://127.0.0.1:${selfSigned.port}#localhost`)
      .waitFor();
  });

  it('adds a webhook channel that a test-send reaches, a rule for one owner, and runs a job now', async () => {
    const { page } = b;
    await page.goto(`${t.url}/#/notifications`);
    await page.getByLabel('Channel name').fill('hook');
    await page.getByLabel('Plugin').selectOption('webhook');
    await page.getByLabel('url (required)').fill(`${receiver.url}/tarsier`);
    await page.getByLabel('signingKey (required)').fill('web-ui-signing-key-0123');
    await page.getByLabel('Reach certificate owners through this channel').check();
    await page.getByRole('button', { name: 'Create channel' }).click();
    await page.getByRole('cell', { name: 'hook', exact: true }).waitFor();
    const channel = (await t.api('GET', '/api/v1/notifications/channels')).json.items[0];
    expect(channel).toMatchObject({ name: 'hook', owners: true, secretsSet: ['signingKey'] });
    await page.getByRole('form', { name: 'Test hook' }).getByRole('button', { name: 'Send a test' }).click();
    await page.getByRole('status').filter({ hasText: 'sent' }).waitFor();
    expect(receiver.posts).toHaveLength(1);
    expect(receiver.posts[0]).toMatchObject({ path: '/tarsier' });
    expect(receiver.posts[0]!.headers['x-tarsier-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);

    await page.getByLabel('Channel', { exact: true }).selectOption({ label: 'hook' });
    await page.getByLabel('Certificates', { exact: true }).selectOption('owner');
    await page.getByLabel('Matching').fill('payments');
    await page.getByLabel('revoked').check();
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByRole('cell', { name: 'owner payments' }).waitFor();
    const rules = (await t.api('GET', '/api/v1/notifications/rules')).json.items;
    expect(rules).toEqual([
      expect.objectContaining({ match: 'owner', value: 'payments', events: ['expiry', 'revoked'] }),
    ]);
    await screenshots(page, `${dialect}-notifications-added`);

    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('button', { name: 'Run crl-refresh now' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^crl-refresh: succeeded/ })
      .waitFor();
    const job = (await t.api('GET', '/api/v1/jobs/crl-refresh')).json;
    expect(job.lastRun).toMatchObject({ status: 'succeeded', trigger: 'manual:user:admin' });
    await screenshots(page, `${dialect}-jobs-run`);
  });

  it('offers LDAP and OIDC sign-in only when the server has them configured', async () => {
    const { page } = b;
    const other = await startTarsier({
      dialect: 'sqlite',
      settings: {
        ldapUrl: 'ldap://127.0.0.1:1',
        ldapUserDn: 'uid={username},ou=people,dc=example,dc=test',
        oidcIssuer: 'http://127.0.0.1:1',
        oidcClientId: 'tarsier',
      },
    });
    try {
      await page.goto(other.url);
      await page.getByRole('radio', { name: 'Directory (LDAP)' }).waitFor();
      const sso = page.getByRole('link', { name: 'Sign in with single sign-on (OIDC)' });
      expect(await sso.getAttribute('href')).toBe('/api/v1/auth/oidc/login?returnTo=%2F');
      await screenshots(page, `${dialect}-sign-in-ldap-oidc`);
    } finally {
      await other.stop();
    }
    await page.goto(t.url);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  });

  it('lets a security reviewer approve the held request on the approvals page, which issues it', async () => {
    const { page } = b;
    await signOut(page);
    await signIn(page, t.url, 'auditor', TEST_USER_PASSWORD);
    await page.getByRole('link', { name: 'Approvals' }).click();
    const held = (await t.api('GET', '/api/v1/requests?status=pending')).json.items[0];
    await page.getByRole('cell', { name: 'api.secure.example.test', exact: true }).waitFor();
    await page.getByLabel(`Comment on request ${held.id}`).fill('checked with payments');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('cell', { name: 'api.secure.example.test', exact: true }).waitFor({ state: 'detached' });
    const decided = (await t.api('GET', `/api/v1/requests/${held.id}`)).json;
    expect(decided).toMatchObject({ status: 'approved', decidedBy: 'user:auditor', comment: 'checked with payments' });
    expect(decided.certificateId).toBeGreaterThan(0);
    await signOut(page);
    await signIn(page, t.url, 'admin', t.adminPassword);
  });

  it('names every control in the accessibility tree and writes screenshots of each page', async () => {
    const { page } = b;
    const pages = [
      '',
      'certificates',
      `certificates/${certificateId}`,
      'request',
      'authorities',
      'domains',
      'destinations',
      'sources',
      'endpoints',
      'notifications',
      'jobs',
      'approvals',
      'users',
      'audit',
    ];
    for (const p of pages) {
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.goto(`${t.url}/#/${p}`);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      expect(await unnamedControls(page), `#/${p}`).toEqual([]);
      await screenshots(page, `${dialect}-${p.replace(/\/\d+$/, '-detail') || 'dashboard'}`);
    }
    // At phone width the navigation sits behind a menu button, opened from the keyboard.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.getByRole('link', { name: 'Audit log' }).isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Menu' }).focus();
    await page.keyboard.press('Enter');
    expect(await page.getByRole('link', { name: 'Audit log' }).isVisible()).toBe(true);
    await page.setViewportSize({ width: 1440, height: 900 });
    await signOut(page);
    expect(await unnamedControls(page)).toEqual([]);
    await screenshots(page, `${dialect}-sign-in`);
    expect(pageErrors).toEqual([]);
  });
});
