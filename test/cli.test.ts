// The `tarsier` CLI end to end: each command runs as a real process against a real server, and what it writes is
// checked with openssl. Fixtures the command under test does not own (authorities, certificates to show or
// revoke) are made through the API, so every test stands alone. One dialect is enough: the CLI never sees the
// database, so running it on each would only double ~25 process starts.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess, runTarsier } from './harness/cli.ts';
import { testDialects } from './harness/databases.ts';
import { type Workdir, workdir } from './harness/openssl.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

/** A port nothing listens on: bound once by us, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `'cert show 7'` -> `['cert', 'show', '7']`; arrays pass through for arguments that hold spaces. */
const words = (args: string | string[]) => (typeof args === 'string' ? args.split(/\s+/).filter(Boolean) : args);

const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

describe('tarsier CLI', () => {
  let t: RunningTarsier;
  let w: Workdir;
  let env: NodeJS.ProcessEnv;
  let intermediate: { id: number };
  let chainFile: string;

  /** Runs `tarsier <args>` as the user would, signed in through the token file. */
  const tarsier = (args: string | string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}) =>
    runTarsier(words(args), { ...env, ...opts.env }, opts.input);

  const issue = async (commonName: string, extra: Record<string, unknown> = {}) => {
    const r = await t.api('POST', '/api/v1/certificates', { authorityId: intermediate.id, commonName, ...extra });
    expect(r.status, r.text).toBe(201);
    return r.json as { id: number; pem: string };
  };

  beforeAll(async () => {
    t = await startTarsier({ dialect: testDialects()[0] ?? 'sqlite' });
    w = workdir();
    const { TARSIER_TOKEN: _unused, ...outer } = process.env;
    env = { ...outer, TARSIER_URL: t.url, TARSIER_TOKEN_FILE: w.write('token', `${t.token}\n`) };
    const rootCa = await t.api('POST', '/api/v1/authorities', {
      name: 'CLI Root',
      type: 'root',
      subject: { commonName: 'CLI Root' },
    });
    intermediate = (
      await t.api('POST', '/api/v1/authorities', {
        name: 'CLI Issuing',
        type: 'intermediate',
        parentId: rootCa.json.id,
        subject: { commonName: 'CLI Issuing' },
      })
    ).json;
    chainFile = w.write('chain.pem', (await t.api('GET', `/api/v1/authorities/${intermediate.id}/chain`)).text);
  });

  afterAll(async () => {
    await t?.stop();
    w?.remove();
  });

  it('npx tarsier --help lists the nouns', async () => {
    const r = await runProcess('npx', ['--no-install', 'tarsier', '--help'], env);
    expect(r.code, r.stderr).toBe(0);
    for (const noun of ['login', 'authority', 'cert', 'serve'])
      expect(r.stdout).toMatch(new RegExp(`^\\s+${noun}\\b`, 'm'));
  });

  it('logs in with --password-stdin, saves the token 0600, and the next commands use it to create authorities', async () => {
    const tokenFile = path.join(w.dir, 'login', 'nested', 'token');
    const as = { env: { TARSIER_TOKEN_FILE: tokenFile } };
    const login = await tarsier('login --username admin --password-stdin', {
      ...as,
      input: `${t.adminPassword}\n`,
    });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain(`token saved to ${tokenFile}`);
    expect(mode(tokenFile)).toBe('600');

    const root = await tarsier(
      [...words('authority create --type root --org Acme --json'), '--name', 'Login Root', '--cn', 'Login Root'],
      as,
    );
    expect(root.code, root.stderr).toBe(0);
    const rootId = JSON.parse(root.stdout).id as number;
    expect(JSON.parse(root.stdout)).toMatchObject({
      name: 'Login Root',
      type: 'root',
      subjectDn: expect.stringContaining('CN=Login Root'),
    });

    const sub = await tarsier(
      `authority create --name Login-Sub --type intermediate --parent ${rootId} --cn Login-Sub --key-type ec-p384 --permitted-dns example.com,example.org`,
      as,
    );
    expect(sub.code, sub.stderr).toBe(0);
    expect(sub.stdout).toMatch(/^Type:\s+intermediate$/m);
    expect(sub.stdout).toMatch(/^Key type:\s+ec-p384$/m);
    expect(sub.stdout).toMatch(/^Name constraints:\s+permittedDns: example\.com$/m);

    const list = await tarsier('authority list', as);
    expect(list.stdout).toMatch(/^ID\s+NAME\s+TYPE\s+PARENT\s+KEY\s+NOT AFTER\s+OWNER$/m);
    expect(list.stdout).toMatch(
      new RegExp(`^\\d+\\s+Login-Sub\\s+intermediate\\s+${rootId}\\s+ec-p384\\s+\\d{4}-\\d{2}-\\d{2}\\s+-$`, 'm'),
    );

    const chain = path.join(w.dir, 'login-chain.pem');
    const subId = Number(/^ID:\s+(\d+)$/m.exec(sub.stdout)?.[1]);
    const c = await tarsier(`authority chain ${subId} -o ${chain}`, as);
    expect(c.code, c.stderr).toBe(0);
    expect(fs.readFileSync(chain, 'utf8').match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
    expect(w.openssl(['x509', '-in', chain, '-noout', '-subject'])).toContain('CN = Login-Sub');
  });

  it('issues a certificate: table output, files that openssl verifies, and --json', async () => {
    const cert = path.join(w.dir, 'issued.pem');
    const key = path.join(w.dir, 'issued.key');
    const r = await tarsier(
      `cert issue --authority ${intermediate.id} --cn app.example.com --dns www.example.com --ip 10.0.0.7 --label team=web --label env=prod --owner web-team --eku serverAuth,clientAuth -o ${cert} --key-out ${key}`,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^issued certificate \d+$/m);
    expect(r.stdout).toMatch(/^Common name:\s+app\.example\.com$/m);
    expect(r.stdout).toContain('DNS:www.example.com');
    expect(r.stdout).toMatch(/^\s+IP:10\.0\.0\.7$/m);
    expect(r.stdout).toMatch(/^(Labels:)?\s+team=web$/m);
    expect(r.stdout).toMatch(/^(Labels:)?\s+env=prod$/m);
    expect(w.openssl(['verify', '-CAfile', chainFile, cert])).toContain(': OK');
    expect(mode(key)).toBe('600');
    const pub = (args: string[]) => w.openssl(args);
    expect(pub(['pkey', '-in', key, '-pubout'])).toBe(pub(['x509', '-in', cert, '-noout', '-pubkey']));
    expect(w.openssl(['x509', '-in', cert, '-noout', '-ext', 'extendedKeyUsage'])).toContain(
      'TLS Web Client Authentication',
    );

    const j = await tarsier(
      `cert issue --authority ${intermediate.id} --cn json.example.com --key-type rsa-2048 --json`,
    );
    expect(j.code, j.stderr).toBe(0);
    const body = JSON.parse(j.stdout);
    expect(body).toMatchObject({ commonName: 'json.example.com', keyType: 'rsa-2048', status: 'valid', hasKey: true });
    expect(body.pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  it('lists with --q as an aligned table, and --json passes the page through', async () => {
    const a = await issue('needle-one.example.com', { owner: 'finders' });
    await issue('needle-two.example.com', { owner: 'finders' });
    await issue('haystack.example.com');
    const r = await tarsier('cert list --q needle-one');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ID\s+COMMON NAME\s+STATUS\s+NOT AFTER\s+KEY\s+AUTHORITY\s+OWNER$/);
    expect(lines[1]).toMatch(
      new RegExp(
        `^${a.id}\\s+needle-one\\.example\\.com\\s+valid\\s+\\d{4}-\\d{2}-\\d{2}\\s+ec-p256\\s+#${intermediate.id}\\s+finders$`,
      ),
    );
    // Columns line up: each header starts where its cells start.
    expect(lines[1]!.indexOf('valid')).toBe(lines[0]!.indexOf('STATUS'));

    const j = await tarsier('cert list --owner finders --limit 1 --all --json');
    expect(j.code, j.stderr).toBe(0);
    const page = JSON.parse(j.stdout);
    expect(page.items.map((c: any) => c.commonName).sort()).toEqual([
      'needle-one.example.com',
      'needle-two.example.com',
    ]);
    expect(page.next).toBeNull();
  });

  it('shows one certificate as key: value lines', async () => {
    const c = await issue('show.example.com', { description: 'shown', labels: { tier: 'gold' } });
    const r = await tarsier(`cert show ${c.id}`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^ID:\\s+${c.id}$`, 'm'));
    expect(r.stdout).toMatch(/^Status:\s+valid$/m);
    expect(r.stdout).toMatch(/^Issuer:\s+.*CN=CLI Issuing/m);
    expect(r.stdout).toMatch(/^Description:\s+shown$/m);
    expect(r.stdout).toMatch(/^Labels:\s+tier=gold$/m);
    expect(r.stdout).toMatch(/^Private key:\s+stored \(encrypted\)$/m);
  });

  it('exports PEM with the key (mode 0600), DER, and PKCS#12 that openssl opens', async () => {
    const c = await issue('export.example.com');
    const pem = path.join(w.dir, 'export.pem');
    const r = await tarsier(`cert export ${c.id} --format pem --include certificate,chain,key -o ${pem}`);
    expect(r.code, r.stderr).toBe(0);
    expect(mode(pem)).toBe('600');
    expect(w.openssl(['x509', '-in', pem, '-noout', '-subject'])).toContain('CN = export.example.com');
    expect(w.openssl(['pkey', '-in', pem, '-pubout'])).toBe(w.openssl(['x509', '-in', pem, '-noout', '-pubkey']));

    const der = path.join(w.dir, 'export.der');
    const d = await tarsier(`cert export ${c.id} --format der -o ${der}`);
    expect(d.code, d.stderr).toBe(0);
    expect(mode(der)).toBe('644');
    expect(fs.readFileSync(der)[0]).toBe(0x30);
    expect(w.openssl(['x509', '-inform', 'DER', '-in', der, '-noout', '-subject'])).toContain(
      'CN = export.example.com',
    );

    const p12 = path.join(w.dir, 'export.p12');
    const p = await tarsier(`cert export ${c.id} --format pkcs12 --password p12-secret -o ${p12}`);
    expect(p.code, p.stderr).toBe(0);
    expect(mode(p12)).toBe('600');
    const out = w.openssl(['pkcs12', '-in', p12, '-nokeys', '-passin', 'pass:p12-secret']);
    expect(out).toContain('CN = export.example.com');
    expect(out).toContain('CN = CLI Issuing');
  });

  it('revokes, rotates and archives', async () => {
    const c = await issue('lifecycle.example.com');
    const rev = await tarsier(`cert revoke ${c.id} --reason keyCompromise`);
    expect(rev.code, rev.stderr).toBe(0);
    expect(rev.stdout).toMatch(/^Status:\s+revoked$/m);
    expect(rev.stdout).toMatch(/^Revoked:\s+.*\(keyCompromise\)$/m);

    const d = await issue('rotate.example.com');
    const rot = await tarsier(`cert rotate ${d.id}`);
    expect(rot.code, rot.stderr).toBe(0);
    const newId = Number(/its replacement is certificate (\d+)/.exec(rot.stdout)?.[1]);
    expect(newId).toBeGreaterThan(d.id);
    expect((await t.api('GET', `/api/v1/certificates/${d.id}`)).json.replacedById).toBe(newId);

    const arc = await tarsier(`cert archive ${d.id} --json`);
    expect(arc.code, arc.stderr).toBe(0);
    expect(JSON.parse(arc.stdout).archivedAt).toEqual(expect.any(String));
  });

  it('imports a PEM certificate and key made by openssl, and knows the same certificate as DER', async () => {
    w.openssl(
      words(
        'req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=outside.example.net -days 30',
      ).concat(words('-keyout outside.key -out outside.pem')),
    );
    w.openssl(['x509', '-in', 'outside.pem', '-outform', 'DER', '-out', 'outside.cer']);
    const file = (n: string) => path.join(w.dir, n);
    const r = await tarsier(`cert import ${file('outside.pem')} --key ${file('outside.key')} --owner ops`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^imported certificate \d+$/m);
    expect(r.stdout).toMatch(/^Origin:\s+imported$/m);
    expect(r.stdout).toMatch(/^Private key:\s+stored \(encrypted\)$/m);
    const id = Number(/^imported certificate (\d+)$/m.exec(r.stdout)?.[1]);

    const again = await tarsier(`cert import ${file('outside.cer')}`);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^already in the inventory as certificate ${id}$`, 'm'));
  });

  it('fails with exit code 1 and one clear line: unknown id, unreachable server, no token', async () => {
    const missing = await tarsier('cert show 999999');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error: certificate 999999 does not exist (HTTP 404)\n');
    expect(missing.stdout).toBe('');

    const url = `http://127.0.0.1:${await closedPort()}`;
    const down = await tarsier(`cert list --url ${url}`);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(new RegExp(`^error: cannot reach the Tarsier server at ${url} \\(ECONNREFUSED\\)`));

    const anonymous = await tarsier('authority list', { env: { TARSIER_TOKEN_FILE: path.join(w.dir, 'absent') } });
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toMatch(/^error: .*\(HTTP 401\); run `tarsier login` first/);
  });
});
