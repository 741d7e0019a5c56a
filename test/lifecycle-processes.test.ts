// Several real `tarsier serve` processes on one PostgreSQL database (this proof needs shared jobs, so it runs on
// PostgreSQL only): three processes run the expiry job at the same moment with their clocks moved on and every
// due e-mail arrives exactly once, a second round sends nothing; of two servers and a `tarsier worker`, the one
// SIGKILLed in the middle of a rotation (its CFSSL request held by a proxy) leaves no lost certificate and no
// double issuance, and another process finishes the rotation.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CFSSL_PROFILES, type RunningCfssl, startCfssl } from './harness/cfssl.ts';
import { createPostgresDatabase, testDialects } from './harness/databases.ts';
import { newMasterKeys, startTarsierProcess, type TarsierProcess } from './harness/processes.ts';
import { type RunningSmtp, startSmtp } from './harness/smtp.ts';

const DAY = 86_400;
const owners = ['ana', 'ben', 'cleo', 'dev', 'eve'];
const onPostgres = testDialects().includes('postgres') ? ['postgres'] : [];

/** A TCP proxy that passes connections through, or holds them unanswered (a CA that is slow to reply). */
async function startProxy(targetPort: number) {
  let hold = false;
  const held: net.Socket[] = [];
  const open = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    if (hold) {
      held.push(socket);
      return;
    }
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    const upstream = net.connect(targetPort, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    const close = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    held,
    setHold(on: boolean) {
      hold = on;
      // Kept-alive connections would carry the next request past the hold: close them, so it opens a new one.
      if (on) for (const s of open) s.destroy();
      if (!on) for (const s of held.splice(0)) s.destroy();
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, seconds = 30): Promise<T> {
  for (let i = 0; i < seconds * 4; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function createAuthority(p: TarsierProcess): Promise<number> {
  const root = await p.api('POST', '/api/v1/authorities', {
    name: 'Proc Root',
    type: 'root',
    subject: { commonName: 'Proc Root' },
  });
  expect(root.status, root.text).toBe(201);
  const inter = await p.api('POST', '/api/v1/authorities', {
    name: 'Proc Issuing',
    type: 'intermediate',
    parentId: root.json.id,
    subject: { commonName: 'Proc Issuing CA' },
  });
  expect(inter.status, inter.text).toBe(201);
  return inter.json.id;
}

describe.each(onPostgres)('several processes on %s', () => {
  let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let smtp: RunningSmtp;
  const masterKeys = newMasterKeys();
  const processes: TarsierProcess[] = [];
  const start = async (env: Record<string, string> = {}, command: 'serve' | 'worker' = 'serve') => {
    const p = await startTarsierProcess({ databaseUrl: db.url, masterKeys, env, command });
    processes.push(p);
    return p;
  };

  beforeAll(async () => {
    [db, smtp] = await Promise.all([createPostgresDatabase(), startSmtp()]);
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await smtp?.stop();
    await db?.drop();
  });

  /** Runs the expiry job on all three at once, twice: each owner gets one e-mail, the second round none. */
  async function expectOnce(trio: TarsierProcess[]) {
    const round = () => Promise.all(trio.map((p) => p.api('POST', '/api/v1/jobs/expiry-notifications/run')));
    for (const r of await round()) expect(r.json.status, r.text).toBe('succeeded');
    await until('the e-mails', async () => (smtp.messages.length >= owners.length ? true : undefined));
    for (const u of owners) {
      const mails = smtp.to(`${u}@example.test`);
      expect(mails, u).toHaveLength(1);
      expect(mails[0]!.subject).toBe('[Tarsier] 3 certificates will expire soon');
      for (let i = owners.indexOf(u); i < 15; i += owners.length)
        expect(mails[0]!.text).toContain(`svc${i}.example.com`);
    }
    const items = (await round()).map((r) => r.json.result.expiry.items);
    expect(items).toEqual([0, 0, 0]);
    expect(smtp.messages).toHaveLength(owners.length);
    const runs = (await trio[0]!.api('GET', '/api/v1/jobs/expiry-notifications')).json.runs;
    // Six runs in this round and the next (the run of twelve days before is pruned from the record).
    expect(runs.filter((r: any) => r.status === 'succeeded')).toHaveLength(6);
  }

  it('three processes run the expiry job at once: every due e-mail arrives exactly once, a second round sends nothing', async () => {
    // One process at today's date sets up; three more run twelve days ahead (28 days left: the 30-day notice).
    const ahead = { TARSIER_CLOCK_OFFSET_SECONDS: String(12 * DAY) };
    const setup = await start();
    const authorityId = await createAuthority(setup);
    for (const u of owners) {
      const r = await setup.api('POST', '/api/v1/users', {
        username: u,
        password: 'correct-horse-battery-9',
        roles: ['user'],
        email: `${u}@example.test`,
      });
      expect(r.status, r.text).toBe(201);
    }
    const channel = await setup.api('POST', '/api/v1/notifications/channels', {
      name: 'mail',
      plugin: 'email',
      owners: true,
      options: { host: '127.0.0.1', port: smtp.port, from: 'tarsier@example.test' },
    });
    expect(channel.status, channel.text).toBe(201);
    for (let i = 0; i < 15; i++) {
      const owner = owners[i % owners.length]!;
      const r = await setup.api('POST', '/api/v1/certificates', {
        authorityId,
        commonName: `svc${i}.example.com`,
        owner,
        validityDays: 40,
      });
      expect(r.status, r.text).toBe(201);
    }
    // Today nothing is due (40 days left); the job says so and sends nothing.
    expect((await setup.api('POST', '/api/v1/jobs/expiry-notifications/run')).json.result.expiry.items).toBe(0);
    await setup.kill();
    const trio = await Promise.all([start(ahead), start(ahead), start(ahead)]);

    try {
      await expectOnce(trio);
    } finally {
      await Promise.all(trio.map((p) => p.kill()));
    }
  });

  describe('a process killed mid-rotation', () => {
    let cfssl: RunningCfssl;
    let proxy: Awaited<ReturnType<typeof startProxy>>;
    beforeAll(async () => {
      cfssl = await startCfssl();
      proxy = await startProxy(Number(new URL(cfssl.url).port));
    });
    afterAll(async () => {
      proxy?.setHold(false);
      await proxy?.stop();
      await cfssl?.stop();
    });

    it('leaves no lost certificate and no double issuance; another process finishes it', async () => {
      // 21 days on, the CFSSL certificate (dated by the real clock, 30 days) has 9 left: its rotation is due at
      // once. A claim lasts 5 s.
      const env = { TARSIER_CLOCK_OFFSET_SECONDS: String(21 * DAY), TARSIER_JOB_TIMEOUT_SECONDS: '5' };
      await Promise.all(processes.map((p) => p.kill())); // none of the first test's may take the job
      // Two servers and a worker share the jobs.
      const all = await Promise.all([start(env), start(env), start(env, 'worker')]);
      const setup = all[0]!;
      const issuer = await setup.api('POST', '/api/v1/issuers', {
        name: 'slow-ca',
        plugin: 'cfssl',
        options: { url: proxy.url, profile: CFSSL_PROFILES.open },
      });
      expect(issuer.status, issuer.text).toBe(201);
      const old = await setup.api('POST', '/api/v1/certificates', {
        issuerId: issuer.json.id,
        commonName: 'kill.example.com',
        owner: 'admin',
      });
      expect(old.status, old.text).toBe(201);
      const id = old.json.id as number;
      const settings = await setup.api('PUT', `/api/v1/certificates/${id}/rotation`, { enabled: true, daysBefore: 10 });
      expect(settings.status, settings.text).toBe(200);
      proxy.setHold(true);
      void setup.api('POST', '/api/v1/jobs/rotation/run').catch(() => undefined);
      await until('the rotation to reach the CA', async () => (proxy.held.length > 0 ? true : undefined));
      // Whichever process took the job is the one to kill (its run names it).
      const running = (await setup.api('GET', '/api/v1/jobs/rotation')).json.lastRun;
      expect(running.status).toBe('running');
      const doomed = all.find((p) => running.process.endsWith(`:${p.child.pid}`))!;
      const survivor = all.find((p) => p !== doomed && p.url)!;
      await doomed.kill('SIGKILL');
      proxy.setHold(false);

      const replaced = await until('another process to finish the rotation', async () => {
        await survivor.api('POST', '/api/v1/jobs/rotation/run');
        const c = (await survivor.api('GET', `/api/v1/certificates/${id}`)).json;
        return c.replacedById ?? undefined;
      });
      // The replacement is due at once in turn (CFSSL dates it by the real clock, Tarsier's is 21 days on), so
      // count what replaced the old certificate, not the whole list.
      const replacements = async () =>
        (await survivor.api('GET', '/api/v1/certificates?q=kill.example.com&limit=50')).json.items.filter(
          (c: any) => c.replacesId === id,
        );
      expect((await replacements()).map((c: any) => c.id)).toEqual([replaced]);
      const fresh = (await survivor.api('GET', `/api/v1/certificates/${replaced}`)).json;
      expect(fresh.replacesId).toBe(id);
      expect(cfssl.certificateRow(BigInt(`0x${fresh.serial}`).toString())).toBeDefined();
      const events = (await survivor.api('GET', `/api/v1/audit-events?action=certificate.rotate&limit=50`)).json.items;
      expect(events.filter((e: any) => e.details?.replaces === id)).toHaveLength(1);
      const status = (await survivor.api('GET', `/api/v1/certificates/${id}/rotation`)).json.lastRotation;
      expect(status).toMatchObject({ status: 'done', newCertificateId: replaced });
      // Nothing more happens on later runs.
      await survivor.api('POST', '/api/v1/jobs/rotation/run');
      expect(await replacements()).toHaveLength(1);
    });
  });
});
