// Starts a real OpenLDAP slapd for a test file: its own slapd.conf and mdb database in a temporary directory
// (never the system configuration), seeded with slapadd, listening on a free port of 127.0.0.1. stop() kills its
// process group and removes the directory. Needs Debian's slapd package (scripts/setup.sh installs it).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Attribute, Change, Client } from 'ldapts';

export const LDAP_SUFFIX = 'dc=example,dc=org';
export const LDAP_ROOT_DN = `cn=admin,${LDAP_SUFFIX}`;
export const LDAP_USER_DN = `uid={username},ou=people,${LDAP_SUFFIX}`;
export const LDAP_GROUP_BASE = `ou=groups,${LDAP_SUFFIX}`;

export interface LdapPerson {
  uid: string;
  password: string;
  cn: string;
  mail?: string;
}

export interface RunningSlapd {
  url: string;
  /** The DN of a person of the seed, e.g. uid=alice,ou=people,dc=example,dc=org. */
  personDn(uid: string): string;
  groupDn(cn: string): string;
  /** Adds or removes a member of a groupOfNames, as the directory's administrator. */
  setMembership(group: string, uid: string, member: boolean): Promise<void>;
  /** Stops the server (it can be started again with restart()), e.g. to test an unreachable directory. */
  pause(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const SCHEMAS = ['core', 'cosine', 'inetorgperson', 'nis'];

/** userPassword in the {SSHA} scheme slapd checks: base64(sha1(password + salt) + salt). */
export function sshaPassword(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function seedLdif(people: LdapPerson[], groups: Record<string, string[]>): string {
  const entries = [
    `dn: ${LDAP_SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example`,
    `dn: ou=people,${LDAP_SUFFIX}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ou=groups,${LDAP_SUFFIX}\nobjectClass: organizationalUnit\nou: groups`,
    ...people.map((p) =>
      [
        `dn: uid=${p.uid},ou=people,${LDAP_SUFFIX}`,
        'objectClass: inetOrgPerson',
        `uid: ${p.uid}`,
        `cn: ${p.cn}`,
        `sn: ${p.cn.split(' ').at(-1)}`,
        `displayName: ${p.cn}`,
        ...(p.mail ? [`mail: ${p.mail}`] : []),
        `userPassword: ${sshaPassword(p.password)}`,
      ].join('\n'),
    ),
    ...Object.entries(groups).map(([cn, members]) =>
      [
        `dn: cn=${cn},ou=groups,${LDAP_SUFFIX}`,
        'objectClass: groupOfNames',
        `cn: ${cn}`,
        // groupOfNames needs at least one member; the suffix stands in for an empty group.
        ...(members.length
          ? members.map((m) => `member: uid=${m},ou=people,${LDAP_SUFFIX}`)
          : [`member: ${LDAP_SUFFIX}`]),
      ].join('\n'),
    ),
  ];
  return `${entries.join('\n\n')}\n`;
}

function slapdConf(dir: string, rootPassword: string): string {
  return [
    ...SCHEMAS.map((s) => `include /etc/ldap/schema/${s}.schema`),
    `pidfile ${dir}/slapd.pid`,
    `argsfile ${dir}/slapd.args`,
    // Like many directories in the field, accept an unauthenticated bind (a DN with an empty password) as
    // anonymous: the case Tarsier must refuse before binding.
    'allow bind_anon_dn',
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    'database mdb',
    `suffix "${LDAP_SUFFIX}"`,
    `rootdn "${LDAP_ROOT_DN}"`,
    `rootpw ${rootPassword}`,
    `directory ${dir}/db`,
    'maxsize 16777216',
    // Passwords are for binding only; everything else is readable by everyone, as in a typical directory.
    'access to attrs=userPassword by self write by anonymous auth by * none',
    'access to * by * read',
    '',
  ].join('\n');
}

/**
 * Starts slapd seeded with `people` and `groups` (group cn -> member uids).
 * Example: `await startSlapd({ people: [{ uid: 'alice', password: 'pw', cn: 'Alice A' }], groups: { admins: ['alice'] } })`
 */
export async function startSlapd(seed: {
  people: LdapPerson[];
  groups: Record<string, string[]>;
}): Promise<RunningSlapd> {
  if (!fs.existsSync(SLAPD) || !fs.existsSync(SLAPADD)) {
    throw new Error(`${SLAPD} is missing: run scripts/setup.sh (installs the Debian packages slapd and ldap-utils)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-slapd-'));
  fs.mkdirSync(path.join(dir, 'db'));
  const rootPassword = randomBytes(12).toString('hex');
  const conf = path.join(dir, 'slapd.conf');
  fs.writeFileSync(conf, slapdConf(dir, rootPassword));
  fs.writeFileSync(path.join(dir, 'seed.ldif'), seedLdif(seed.people, seed.groups));
  execFileSync(SLAPADD, ['-f', conf, '-l', path.join(dir, 'seed.ldif')], { stdio: 'pipe' });
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';

  async function launch(): Promise<void> {
    output = '';
    child = spawn(SLAPD, ['-h', `${url}/`, '-f', conf, '-d', '0'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`slapd exited with ${child.exitCode}: ${output}`);
      const client = new Client({ url, connectTimeout: 500, timeout: 1000 });
      try {
        await client.bind(LDAP_ROOT_DN, rootPassword);
        return;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`slapd did not accept a bind within 10 s: ${e} ${output}`);
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        await client.unbind().catch(() => {});
      }
    }
  }

  async function halt(): Promise<void> {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.pid === undefined) return;
    const exited = new Promise((r) => proc.once('exit', r));
    try {
      process.kill(-proc.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {}
    }, 5_000);
    await exited;
    clearTimeout(timer);
  }

  await launch();
  const personDn = (uid: string) => `uid=${uid},ou=people,${LDAP_SUFFIX}`;
  const groupDn = (cn: string) => `cn=${cn},ou=groups,${LDAP_SUFFIX}`;
  return {
    url,
    personDn,
    groupDn,
    async setMembership(group, uid, member) {
      const client = new Client({ url });
      try {
        await client.bind(LDAP_ROOT_DN, rootPassword);
        const modification = new Attribute({ type: 'member', values: [personDn(uid)] });
        await client.modify(groupDn(group), new Change({ operation: member ? 'add' : 'delete', modification }));
      } finally {
        await client.unbind().catch(() => {});
      }
    },
    pause: halt,
    restart: launch,
    async stop() {
      await halt();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
