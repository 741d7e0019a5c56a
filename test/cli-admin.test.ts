import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTarsier } from './harness/cli.ts';
import { type Workdir, workdir } from './harness/openssl.ts';
import { type RunningTarsier, startTarsier, TEST_USER_PASSWORD } from './harness/tarsier.ts';

/** `'user show 7'` -> `['user', 'show', '7']`; arrays pass through for arguments that hold spaces. */
const words = (args: string | string[]) => (typeof args === 'string' ? args.split(/\s+/).filter(Boolean) : args);

describe('tarsier CLI: users, roles, API keys, domains, requests', () => {
  let t: RunningTarsier;
  let w: Workdir;
  let env: NodeJS.ProcessEnv;
  let ca: { id: number };

  /** Runs `tarsier <args>` as the admin (through the token file), or as `token` when given. */
  const tarsier = (args: string | string[], opts: { token?: string; input?: string } = {}) =>
    runTarsier(words(args), opts.token ? { ...env, TARSIER_TOKEN: opts.token } : env, opts.input);

  const login = async (username: string, password: string) => {
    const r = await t.api('POST', '/api/v1/auth/login', { username, password });
    expect(r.status, r.text).toBe(200);
    return r.json.token as string;
  };

  beforeAll(async () => {
    t = await startTarsier({ dialect: 'sqlite' });
    w = workdir();
    const { TARSIER_TOKEN: _unused, ...outer } = process.env;
    env = { ...outer, TARSIER_URL: t.url, TARSIER_TOKEN_FILE: w.write('token', `${t.token}\n`) };
    const created = await t.api('POST', '/api/v1/authorities', {
      name: 'Admin CLI CA',
      type: 'root',
      subject: { commonName: 'Admin CLI CA' },
    });
    expect(created.status, created.text).toBe(201);
    ca = created.json;
  });

  afterAll(async () => {
    await t?.stop();
    w?.remove();
  });

  it('admin makes a team role and a user; the user makes an API key that works until revoked', async () => {
    const role = await tarsier(['role', 'create', 'payments', '--description', 'Payments team']);
    expect(role.code, role.stderr).toBe(0);
    expect(role.stdout).toMatch(/^created role \d+$/m);
    expect(role.stdout).toMatch(/^Kind:\s+team$/m);

    const user = await tarsier(
      'user create --username alice --role user,payments --email alice@example.com --password-stdin',
      {
        input: 'violet-harbour-lamp-42\n',
      },
    );
    expect(user.code, user.stderr).toBe(0);
    expect(user.stdout).toMatch(/^created user \d+$/m);
    expect(user.stdout).toMatch(/^Roles:\s+payments\n\s+user$/m);
    expect(user.stdout).toMatch(/^E-mail:\s+alice@example\.com$/m);
    expect(user.stdout).not.toContain('violet-harbour-lamp-42');

    // The password went through stdin intact: the API accepts it.
    const alice = await login('alice', 'violet-harbour-lamp-42');
    const created = await tarsier('api-key create --name ci --scope certificate:read,authority:read --json', {
      token: alice,
    });
    expect(created.code, created.stderr).toBe(0);
    const key = JSON.parse(created.stdout);
    expect(key).toMatchObject({ name: 'ci', user: 'alice', scopes: ['certificate:read', 'authority:read'] });
    expect(key.key).toMatch(/^\S{20,}$/);
    expect(key.key.startsWith(key.prefix)).toBe(true);

    const human = await tarsier('api-key create --name laptop --expires-in-days 30', { token: alice });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^Key:\s+\S{20,}$/m);
    expect(human.stdout).toMatch(/^Expires:\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/m);
    expect(human.stderr).toMatch(/cannot be shown again/);

    const me = await tarsier('whoami', { token: key.key });
    expect(me.code, me.stderr).toBe(0);
    expect(me.stdout).toMatch(/^Username:\s+alice$/m);
    expect(me.stdout).toMatch(new RegExp(`^Signed in with:\\s+API key ${key.id}$`, 'm'));
    expect(me.stdout).toMatch(/^Permissions:\s+authority:read\n\s+certificate:read\n?$/m);

    const revoked = await tarsier(`api-key revoke ${key.id}`, { token: alice });
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(new RegExp(`^revoked API key ${key.id} \\(ci\\)$`, 'm'));
    expect(revoked.stdout).toMatch(/^Status:\s+revoked$/m);

    const refused = await tarsier('whoami', { token: key.key });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^error: API key 'ci' was revoked \(HTTP 401\)[^\n]*\n$/);
  });

  it('holds a certificate for a sensitive name until a security reviewer approves it', async () => {
    const domain = await tarsier(['domain', 'add', '*.payments.example.com', '--sensitive', '--description', 'PCI']);
    expect(domain.code, domain.stderr).toBe(0);
    expect(domain.stdout).toMatch(/^Name:\s+payments\.example\.com$/m);
    expect(domain.stdout).toMatch(/^Sensitive:\s+yes/m);

    const carol = await t.userToken('carol', ['user']);
    const held = await tarsier(`cert issue --authority ${ca.id} --cn card.payments.example.com`, { token: carol });
    expect(held.code, held.stderr).toBe(0);
    const requestId = Number(/^held for approval as request (\d+): /.exec(held.stdout)?.[1]);
    expect(requestId).toBeGreaterThan(0);
    expect(held.stdout).toContain('card.payments.example.com (payments.example.com is a sensitive domain)');

    const pending = await tarsier('request list --status pending');
    expect(pending.code, pending.stderr).toBe(0);
    expect(pending.stdout).toMatch(/^ID\s+STATUS\s+REQUESTED BY\s+REQUESTED\s+AUTHORITY\s+CERTIFICATE\s+NAMES$/m);
    expect(pending.stdout).toMatch(
      new RegExp(
        `^${requestId}\\s+pending\\s+user:carol\\s+.+UTC\\s+#${ca.id}\\s+-\\s+card\\.payments\\.example\\.com$`,
        'm',
      ),
    );

    const sam = await tarsier('user create --username sam --role security --password quiet-review-desk-17');
    expect(sam.code, sam.stderr).toBe(0);
    const approved = await tarsier(['request', 'approve', String(requestId), '--comment', 'ticket SEC-42'], {
      token: await login('sam', 'quiet-review-desk-17'),
    });
    expect(approved.code, approved.stderr).toBe(0);
    const certId = Number(
      new RegExp(`^approved request ${requestId}: issued certificate (\\d+)$`, 'm').exec(approved.stdout)?.[1],
    );
    expect(certId).toBeGreaterThan(0);
    expect(approved.stdout).toMatch(/^Decided by:\s+user:sam$/m);
    expect(approved.stdout).toMatch(/^Comment:\s+ticket SEC-42$/m);

    const found = await tarsier('cert list --q card.payments --json');
    expect(found.code, found.stderr).toBe(0);
    expect(JSON.parse(found.stdout).items).toMatchObject([
      { id: certId, commonName: 'card.payments.example.com', status: 'valid' },
    ]);
  });

  it('names domains, roles and users by name; updates a user; a user changes their own password', async () => {
    expect((await t.api('POST', '/api/v1/domains', { name: 'lab.example.net' })).status).toBe(201);
    const set = await tarsier('domain set LAB.example.net. --sensitive --json');
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ name: 'lab.example.net', sensitive: true });
    const removed = await tarsier('domain remove lab.example.net');
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/^removed domain \d+ \(lab\.example\.net\)$/m);
    expect((await t.api('GET', '/api/v1/domains')).json.items.map((d: any) => d.name)).not.toContain('lab.example.net');

    expect((await t.api('POST', '/api/v1/roles', { name: 'short-lived' })).status).toBe(201);
    const deleted = await tarsier('role delete short-lived');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toMatch(/^deleted role \d+ \(short-lived\)$/m);

    const dave = await t.userToken('dave', ['user']);
    const updated = await tarsier('user update dave --add-role operator --email dave@example.com');
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toMatch(/^Roles:\s+(user\n\s+operator|operator\n\s+user)$/m);
    expect(updated.stdout).toMatch(/^E-mail:\s+dave@example\.com$/m);

    const passwd = await tarsier('user passwd', {
      token: dave,
      input: `${TEST_USER_PASSWORD}\ngranite-kettle-2026\n`,
    });
    expect(passwd.code, passwd.stderr).toBe(0);
    expect(passwd.stdout).toBe('password changed\n');
    await login('dave', 'granite-kettle-2026');
  });

  it('fails with exit code 1 and one line: unknown user, a password the policy refuses', async () => {
    const missing = await tarsier('user show 999999');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe('error: user 999999 does not exist (HTTP 404)\n');

    const weak = await tarsier('user create --username weakling --password-stdin', { input: 'short\n' });
    expect(weak.code).toBe(1);
    expect(weak.stdout).toBe('');
    expect(weak.stderr).toBe('error: password: must be at least 12 characters long (HTTP 400)\n');
  });

  it('updates an authority to publish CRLs and OCSP, and shows where', async () => {
    const res = await tarsier(`authority update ${ca.id} --public-base-url http://pki.example.test --ocsp-signer ca`);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`CRL:\\s+http://pki.example.test/crl/${ca.id}.crl`));
    expect(res.stdout).toMatch(new RegExp(`OCSP:\\s+http://pki.example.test/ocsp/${ca.id} \\(signed by the CA\\)`));
    const nothing = await tarsier(`authority update ${ca.id}`);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/^error: nothing to change/);
  });
});
