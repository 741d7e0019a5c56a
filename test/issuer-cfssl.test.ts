// The CFSSL issuer end to end: a real `cfssl serve` (with and without an auth key) registered through the API,
// certificates issued and revoked through Tarsier, checked with openssl and CFSSL's own database, on SQLite and
// PostgreSQL; bad settings refused at creation; the CLI's issuer and cert commands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CFSSL_PROFILES, type RunningCfssl, startCfssl } from './harness/cfssl.ts';
import { runTarsier } from './harness/cli.ts';
import { testDialects } from './harness/databases.ts';
import { type Workdir, workdir } from './harness/openssl.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

const AUTH_KEY = '0123456789abcdef0123456789abcdef';

describe.each(testDialects())('CFSSL issuer on %s', (dialect) => {
  let t: RunningTarsier;
  let open: RunningCfssl;
  let authed: RunningCfssl;
  let w: Workdir;
  let issuerId: number;

  beforeAll(async () => {
    [t, open, authed] = await Promise.all([startTarsier({ dialect }), startCfssl(), startCfssl({ authKey: AUTH_KEY })]);
    w = workdir();
    w.write('cfssl-ca.pem', open.caPem);
  });
  afterAll(async () => {
    await Promise.all([t?.stop(), open?.stop(), authed?.stop()]);
    w?.remove();
  });

  it('lists the cfssl plugin with the schemas of its settings', async () => {
    const r = await t.api('GET', '/api/v1/issuers/plugins', undefined, t.token);
    expect(r.status).toBe(200);
    const cfssl = r.json.items.find((p: any) => p.type === 'cfssl');
    expect(Object.keys(cfssl.options.properties)).toEqual(expect.arrayContaining(['url', 'profile']));
    expect(Object.keys(cfssl.secrets.properties)).toEqual(['authKey']);
    expect(cfssl.canRevoke).toBe(true);
  });

  it('refuses bad settings at creation, naming the field, and stores nothing', async () => {
    const bad = async (options: object, secrets?: object) =>
      t.api('POST', '/api/v1/issuers', { name: 'bad', plugin: 'cfssl', options, secrets }, t.token);
    const closed = await bad({ url: 'http://127.0.0.1:1' });
    expect(closed.status).toBe(400);
    expect(closed.json.error.details.field).toBe('options.url');
    expect(closed.json.error.message).toMatch(/127\.0\.0\.1:1/);
    const notCfssl = await bad({ url: `${t.url}/healthz` });
    expect(notCfssl.status).toBe(400);
    expect(notCfssl.json.error.details.field).toBe('options.url');
    const typo = await bad({ url: open.url, profil: 'server' });
    expect(typo.status).toBe(400);
    expect(typo.json.error.details.field).toBe('options.profil');
    const plugin = await t.api('POST', '/api/v1/issuers', { name: 'x', plugin: 'nope' }, t.token);
    expect(plugin.status).toBe(400);
    expect(plugin.json.error.message).toMatch(/plugin: 'nope' is not an issuer plugin; use one of: .*cfssl/);
    expect((await t.api('GET', '/api/v1/issuers', undefined, t.token)).json.items).toEqual([]);
  });

  it('registers an issuer; its secrets are stored but never shown', async () => {
    const r = await t.api(
      'POST',
      '/api/v1/issuers',
      {
        name: 'cfssl-authed',
        plugin: 'cfssl',
        options: { url: authed.url, profile: CFSSL_PROFILES.authenticated },
        secrets: { authKey: AUTH_KEY },
      },
      t.token,
    );
    expect(r.status).toBe(201);
    expect(r.json.secretsSet).toEqual(['authKey']);
    expect(r.json.status).toBe('ready');
    expect(r.text).not.toContain(AUTH_KEY);
    expect((await t.api('GET', `/api/v1/issuers/${r.json.id}`, undefined, t.token)).text).not.toContain(AUTH_KEY);
    issuerId = r.json.id;
    const stored = await t.services.db.selectFrom('issuers').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(AUTH_KEY);
  });

  it("fetches the issuer's CA chain from CFSSL's /info", async () => {
    const r = await t.api('GET', `/api/v1/issuers/${issuerId}/chain`, undefined, t.token);
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('content-type')).toContain('application/x-pem-file');
    expect(r.text.trim()).toBe(authed.caPem.trim());
    const plugins = (await t.api('GET', '/api/v1/issuers/plugins', undefined, t.token)).json.items;
    expect(plugins.find((p: any) => p.type === 'cfssl').canFetchChain).toBe(true);
  });

  it('issues through CFSSL with a key Tarsier made; the chain verifies and the key can be exported', async () => {
    const r = await t.api(
      'POST',
      '/api/v1/certificates',
      { issuerId, commonName: 'www.example.test', sans: { dns: ['api.example.test'] }, owner: 'admin' },
      t.token,
    );
    expect(r.status).toBe(201);
    expect(r.json.issuerId).toBe(issuerId);
    expect(r.json.authorityId).toBeNull();
    expect(r.json.sans.dns).toEqual(['www.example.test', 'api.example.test']);
    expect(r.json.hasKey).toBe(true);
    w.write('authed-ca.pem', authed.caPem);
    w.write('leaf.pem', r.json.pem);
    expect(w.openssl(['verify', '-x509_strict', '-CAfile', 'authed-ca.pem', 'leaf.pem'])).toContain('leaf.pem: OK');
    const key = await t.api(
      'POST',
      `/api/v1/certificates/${r.json.id}/export`,
      { format: 'pem', include: ['key'] },
      t.token,
    );
    expect(key.status).toBe(200);
    w.write('leaf.key', key.text);
    const fromKey = w.openssl(['pkey', '-in', 'leaf.key', '-pubout']);
    const fromCert = w.openssl(['x509', '-in', 'leaf.pem', '-noout', '-pubkey']);
    expect(fromKey).toBe(fromCert);
    const row = authed.certificateRow(BigInt(`0x${r.json.serial.replaceAll(':', '')}`).toString());
    expect(row?.status).toBe('good');
  });

  it('refuses options only a Tarsier authority can honour, naming them', async () => {
    const r = await t.api(
      'POST',
      '/api/v1/certificates',
      { issuerId, commonName: 'x.example.test', keyUsages: ['digitalSignature'] },
      t.token,
    );
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/^keyUsages: is decided by the CFSSL issuer/);
    const both = await t.api(
      'POST',
      '/api/v1/certificates',
      { issuerId, authorityId: 1, commonName: 'x.example.test' },
      t.token,
    );
    expect(both.status).toBe(400);
    expect(both.json.error.details.field).toBe('issuerId');
  });

  it('revokes at CFSSL: its database then says revoked with the reason', async () => {
    const issued = await t.api('POST', '/api/v1/certificates', { issuerId, commonName: 'gone.example.test' }, t.token);
    const r = await t.api('POST', `/api/v1/certificates/${issued.json.id}/revoke`, { reason: 'superseded' }, t.token);
    expect(r.status).toBe(200);
    expect(r.json.status).toBe('revoked');
    const row = authed.certificateRow(BigInt(`0x${issued.json.serial.replaceAll(':', '')}`).toString());
    expect(row?.status).toBe('revoked');
    expect(row?.reason).toBe(4);
    const again = await t.api(
      'POST',
      `/api/v1/certificates/${issued.json.id}/revoke`,
      { reason: 'superseded' },
      t.token,
    );
    expect(again.status).toBe(409);
  });

  it("passes CFSSL's refusal on as a 502 with CFSSL's own words, and issues nothing", async () => {
    const wrong = await t.api(
      'PATCH',
      `/api/v1/issuers/${issuerId}`,
      { secrets: { authKey: 'ffffffffffffffffffffffffffffffff' } },
      t.token,
    );
    // Either the check catches the wrong key at once, or CFSSL refuses the first request with its own text.
    if (wrong.status === 200) {
      const before = (await t.api('GET', '/api/v1/certificates', undefined, t.token)).json.items.length;
      const r = await t.api('POST', '/api/v1/certificates', { issuerId, commonName: 'no.example.test' }, t.token);
      expect(r.status).toBe(502);
      expect(r.json.error.code).toBe('upstream_failed');
      expect(JSON.stringify(r.json.error.details)).toMatch(/token/i);
      expect((await t.api('GET', '/api/v1/certificates', undefined, t.token)).json.items.length).toBe(before);
    } else {
      expect(wrong.status).toBe(400);
      expect(wrong.json.error.details.field).toBe('secrets.authKey');
    }
  });

  it('works from the CLI: issuer add/list and cert issue --issuer', async () => {
    if (dialect !== 'sqlite') return;
    const env = { ...process.env, TARSIER_URL: t.url, TARSIER_TOKEN_FILE: w.write('token', `${t.token}\n`) };
    const add = await runTarsier(
      ['issuer', 'add', 'cfssl-open', '--plugin', 'cfssl', '--option', `url=${open.url}`],
      env,
    );
    expect(add.stderr).toBe('');
    expect(add.stdout).toMatch(/added issuer \d+/);
    const list = await runTarsier(['issuer', 'list'], env);
    expect(list.stdout).toMatch(/cfssl-open\s+cfssl\s+ready/);
    const id = /added issuer (\d+)/.exec(add.stdout)![1]!;
    const chain = await runTarsier(['issuer', 'chain', 'cfssl-open'], env);
    expect(chain.code).toBe(0);
    expect(chain.stdout.trim()).toBe(open.caPem.trim());
    const out = w.write('cli-leaf.pem', '');
    const issue = await runTarsier(['cert', 'issue', '--issuer', id, '--cn', 'cli.example.test', '-o', out], env);
    expect(issue.code).toBe(0);
    expect(issue.stdout).toMatch(/issued certificate \d+/);
    expect(w.openssl(['verify', '-x509_strict', '-CAfile', 'cfssl-ca.pem', 'cli-leaf.pem'])).toContain('OK');
  });
});
