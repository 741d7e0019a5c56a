// Notifications end to end on SQLite and PostgreSQL, against a real SMTP server (smtp-server on 127.0.0.1) and
// real HTTP receivers: channel credentials sealed, a test-send, expiry warnings (one message per recipient listing
// all their certificates, each interval once, notify-off skipped, rules by label), a refusing and a stopped mail
// server (the failure recorded and retried, nothing else lost), and signed webhook and Slack-compatible posts.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaPair } from './harness/authorities.ts';
import { testDialects } from './harness/databases.ts';
import { startReceiver } from './harness/http-receiver.ts';
import { type Workdir, workdir } from './harness/openssl.ts';
import { type RunningSmtp, startSmtp } from './harness/smtp.ts';
import { type RunningTarsier, startTarsier, TEST_USER_PASSWORD } from './harness/tarsier.ts';

const DAY = 86_400;
const SMTP_PASSWORD = 'mail-relay-pass-7f3a';
const SIGNING_KEY = 'webhook-signing-key-0123456789';

describe.each(testDialects())('notifications on %s', (dialect) => {
  let t: RunningTarsier;
  let w: Workdir;
  let smtp: RunningSmtp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let authorityId: number;
  let mailId: number;

  let token: string;
  const api = (method: string, path: string, body?: unknown) => t.api(method, path, body, token);
  /** Moves Tarsier's clock on; login tokens expire with it, so sign in again. */
  const advance = async (seconds: number) => {
    t.services.config.clockOffsetSeconds += seconds;
    const login = await t.api('POST', '/api/v1/auth/login', { username: 'admin', password: t.adminPassword });
    token = login.json.token;
  };
  const runJob = async (name: string) => {
    const r = await api('POST', `/api/v1/jobs/${name}/run`);
    expect(r.status, r.text).toBe(200);
    expect(r.json.status, r.text).toBe('succeeded');
    return r.json.result;
  };
  const issue = async (commonName: string, owner: string, validityDays: number, extra: object = {}) => {
    const r = await api('POST', '/api/v1/certificates', { authorityId, commonName, owner, validityDays, ...extra });
    expect(r.status, r.text).toBe(201);
    return r.json.id as number;
  };

  beforeAll(async () => {
    [smtp, receiver, t] = await Promise.all([
      startSmtp({ username: 'mailer', password: SMTP_PASSWORD }),
      startReceiver(),
      // Authorities (valid for years) are within this notice period from the start.
      startTarsier({ dialect, settings: { authorityNoticeDays: '4000' } }),
    ]);
    w = workdir();
    ({
      inter: { id: authorityId },
    } = await createCaPair(t, w, 'Notify'));
    for (const [username, email] of [
      ['alice', 'alice@example.test'],
      ['bob', 'bob@example.test'],
    ]) {
      const r = await api('POST', '/api/v1/users', {
        username,
        password: TEST_USER_PASSWORD,
        roles: ['user'],
        email,
      });
      expect(r.status, r.text).toBe(201);
    }
  });
  afterAll(async () => {
    await t?.stop();
    await smtp?.stop();
    await receiver?.stop();
    w?.remove();
  });

  it('seals channel credentials, never returns them, and a test-send arrives', async () => {
    const bad = await api('POST', '/api/v1/notifications/channels', {
      name: 'bad',
      plugin: 'email',
      options: { host: '127.0.0.1', port: 'x', from: 'tarsier@example.test' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.field).toBe('options.port');
    const r = await api('POST', '/api/v1/notifications/channels', {
      name: 'mail',
      plugin: 'email',
      owners: true,
      options: { host: '127.0.0.1', port: smtp.port, from: 'tarsier@example.test' },
      secrets: { username: 'mailer', password: SMTP_PASSWORD },
    });
    expect(r.status, r.text).toBe(201);
    mailId = r.json.id;
    expect(r.json.secretsSet).toEqual(['password', 'username']);
    const listed = await api('GET', '/api/v1/notifications/channels');
    expect(listed.text).not.toContain(SMTP_PASSWORD);
    const rows = await t.services.db.selectFrom('private_keys').select('ciphertext').execute();
    for (const row of rows) expect(Buffer.from(row.ciphertext).toString('latin1')).not.toContain(SMTP_PASSWORD);
    const channel = await t.services.db.selectFrom('notification_channels').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(channel)).not.toContain(SMTP_PASSWORD);

    const noAddress = await api('POST', `/api/v1/notifications/channels/${mailId}/test`, {});
    expect(noAddress.status).toBe(400);
    expect(noAddress.json.error.details.field).toBe('recipient');
    const sent = await api('POST', `/api/v1/notifications/channels/${mailId}/test`, {
      recipient: 'ops@example.test',
    });
    expect(sent.status, sent.text).toBe(200);
    const [mail] = smtp.to('ops@example.test');
    expect(mail?.subject).toBe('[Tarsier] Tarsier test message');
    expect(mail?.text).toContain('What to do next');
  });

  it('refuses rules that cannot work, naming the field', async () => {
    const noRecipient = await api('POST', '/api/v1/notifications/rules', {
      channelId: mailId,
      match: 'all',
      events: ['expiry'],
    });
    expect(noRecipient.status).toBe(400);
    expect(noRecipient.json.error.details.field).toBe('recipient');
    const badLabel = await api('POST', '/api/v1/notifications/rules', {
      channelId: mailId,
      match: 'label',
      value: 'team',
      recipient: 'ops@example.test',
      events: ['expiry'],
    });
    expect(badLabel.status).toBe(400);
    expect(badLabel.json.error.details.field).toBe('value');
  });

  it('warns each owner once per interval in one message listing all their certificates; notify-off is skipped', async () => {
    const rule = await api('POST', '/api/v1/notifications/rules', {
      channelId: mailId,
      match: 'label',
      value: 'team=payments',
      recipient: 'payments@example.test',
      events: ['expiry'],
    });
    expect(rule.status, rule.text).toBe(201);
    await issue('a1.example.test', 'alice', 20, { labels: { team: 'payments' } });
    await issue('a2.example.test', 'alice', 10);
    await issue('a3.example.test', 'alice', 10, { notify: false });
    await issue('b1.example.test', 'bob', 25);
    await issue('later.example.test', 'alice', 90);

    const result = await runJob('expiry-notifications');
    expect(result.expiry).toEqual({ items: 3, messages: 3 });
    const alice = smtp.to('alice@example.test');
    expect(alice).toHaveLength(1);
    expect(alice[0]!.subject).toBe('[Tarsier] 2 certificates will expire soon');
    expect(alice[0]!.text).toContain('a1.example.test');
    expect(alice[0]!.text).toContain('a2.example.test');
    expect(alice[0]!.text).not.toContain('a3.example.test');
    expect(alice[0]!.text).not.toContain('later.example.test');
    expect(alice[0]!.text).toContain('tarsier cert rotate');
    expect(alice[0]!.html).toContain('<li>');
    expect(smtp.to('bob@example.test').map((m) => m.subject)).toEqual(['[Tarsier] 1 certificate will expire soon']);
    expect(smtp.to('payments@example.test')[0]!.text).toContain('a1.example.test');

    await runJob('expiry-notifications');
    expect(smtp.to('alice@example.test')).toHaveLength(1);

    // Six days on, a1 crosses the 15-day interval; a2 is still within 15 (told already), b1 still within 30.
    await advance(6 * DAY);
    expect((await runJob('expiry-notifications')).expiry).toEqual({ items: 1, messages: 2 });
    const again = smtp.to('alice@example.test');
    expect(again).toHaveLength(2);
    expect(again[1]!.text).toContain('a1.example.test');
    expect(again[1]!.text).not.toContain('a2.example.test');
    expect(smtp.to('bob@example.test')).toHaveLength(1);
  });

  it('records a refusing or stopped mail server, retries it, and loses nothing else of the run', async () => {
    smtp.refuse.set('bob@example.test', '550 5.1.1 mailbox bob unavailable');
    const before = smtp.to('alice@example.test').length;
    await issue('c1.example.test', 'alice', 5);
    await issue('c2.example.test', 'bob', 5);
    await runJob('expiry-notifications');
    expect(smtp.to('alice@example.test')).toHaveLength(before + 1);
    const pending = await api('GET', '/api/v1/notifications/deliveries?status=pending');
    const bobs = pending.json.items.filter((d: any) => d.recipient === 'bob@example.test');
    expect(bobs).toHaveLength(1);
    expect(bobs[0].attempts).toBe(1);
    expect(bobs[0].lastError).toContain('mailbox bob unavailable');

    await smtp.down();
    await issue('c3.example.test', 'alice', 5);
    await runJob('expiry-notifications');
    const down = (await api('GET', '/api/v1/notifications/deliveries?status=pending')).json.items;
    expect(down.find((d: any) => d.recipient === 'alice@example.test').lastError).toMatch(/ECONNREFUSED|connect/i);

    await smtp.up();
    smtp.refuse.clear();
    // Not yet due: the backoff holds the retries back.
    await runJob('notification-deliveries');
    expect(smtp.to('bob@example.test')).toHaveLength(1);
    await advance(3600);
    expect(await runJob('notification-deliveries')).toEqual({ sent: 2, failed: 0 });
    expect(smtp.to('bob@example.test').at(-1)!.text).toContain('c2.example.test');
    expect(smtp.to('alice@example.test').at(-1)!.text).toContain('c3.example.test');
    const left = await api('GET', '/api/v1/notifications/deliveries?status=pending');
    expect(left.json.items).toEqual([]);
  });

  it('posts signed JSON to a webhook and a Slack-compatible message about a revocation', async () => {
    for (const [name, plugin, body] of [
      ['hook', 'webhook', { options: { url: `${receiver.url}/hook` }, secrets: { signingKey: SIGNING_KEY } }],
      ['chat', 'slack', { secrets: { url: `${receiver.url}/slack` } }],
    ] as const) {
      const c = await api('POST', '/api/v1/notifications/channels', { name, plugin, ...body });
      expect(c.status, c.text).toBe(201);
      const r = await api('POST', '/api/v1/notifications/rules', {
        channelId: c.json.id,
        match: 'all',
        events: ['revoked'],
      });
      expect(r.status, r.text).toBe(201);
    }
    const id = await issue('gone.example.test', 'bob', 60);
    expect((await api('POST', `/api/v1/certificates/${id}/revoke`, { reason: 'keyCompromise' })).status).toBe(200);
    await runJob('expiry-notifications');
    const hook = receiver.posts.find((p) => p.path === '/hook')!;
    const timestamp = String(hook.headers['x-tarsier-timestamp']);
    const expected = createHmac('sha256', SIGNING_KEY).update(`${timestamp}.${hook.body}`).digest('hex');
    expect(hook.headers['x-tarsier-signature']).toBe(`sha256=${expected}`);
    const payload = JSON.parse(hook.body);
    expect(payload.event).toBe('revoked');
    expect(payload.items[0]).toMatchObject({ id, name: 'gone.example.test', detail: 'revoked (keyCompromise)' });
    const slack = JSON.parse(receiver.posts.find((p) => p.path === '/slack')!.body);
    expect(slack.text).toContain('gone.example.test');
    // bob hears about it too, once, and a second run repeats nothing.
    expect(smtp.to('bob@example.test').filter((m) => m.subject.includes('revoked'))).toHaveLength(1);
    await runJob('expiry-notifications');
    expect(receiver.posts.filter((p) => p.path === '/hook')).toHaveLength(1);
  });

  it('sends webhooks and mail only through the outbound guard: a metadata address is refused and the refusal recorded', async () => {
    const metadata = 'http://169.254.169.254/latest/hook';
    const hook = await api('POST', '/api/v1/notifications/channels', {
      name: 'metadata-hook',
      plugin: 'webhook',
      options: { url: metadata },
      secrets: { signingKey: SIGNING_KEY },
    });
    expect(hook.status, hook.text).toBe(201);
    const chat = await api('POST', '/api/v1/notifications/channels', {
      name: 'metadata-chat',
      plugin: 'slack',
      secrets: { url: metadata },
    });
    const refusal = /169\.254\.169\.254 resolves to 169\.254\.169\.254, .*link-local.*TARSIER_OUTBOUND_ALLOW/;
    for (const id of [hook.json.id, chat.json.id]) {
      const test = await api('POST', `/api/v1/notifications/channels/${id}/test`, {});
      expect(test.status, test.text).toBe(422);
      expect(test.json.error.code).toBe('policy_violation');
      expect(test.json.error.message).toMatch(refusal);
      const rule = await api('POST', '/api/v1/notifications/rules', {
        channelId: id,
        match: 'all',
        events: ['revoked'],
      });
      expect(rule.status, rule.text).toBe(201);
    }
    const relay = await api('POST', '/api/v1/notifications/channels', {
      name: 'metadata-mail',
      plugin: 'email',
      options: { host: '169.254.169.254', port: 25, from: 'tarsier@example.test' },
    });
    expect(relay.status, relay.text).toBe(201);
    const mailTest = await api('POST', `/api/v1/notifications/channels/${relay.json.id}/test`, {
      recipient: 'alice@example.test',
    });
    expect(mailTest.status, mailTest.text).toBe(422);
    expect(mailTest.json.error.message).toMatch(refusal);
    const posted = receiver.posts.length;
    const cert = await issue('guarded.example.test', 'bob', 60);
    expect((await api('POST', `/api/v1/certificates/${cert}/revoke`, {})).status).toBe(200);
    await runJob('expiry-notifications');
    const pending = (await api('GET', '/api/v1/notifications/deliveries?status=pending')).json.items;
    const refused = pending.filter((d: any) => [hook.json.id, chat.json.id].includes(d.channelId));
    expect(refused).toHaveLength(2);
    for (const d of refused) expect(d.lastError).toMatch(refusal);
    // The other channels of the same run were delivered: the refusal lost nothing else.
    expect(receiver.posts.length).toBe(posted + 2);
    expect(smtp.to('bob@example.test').filter((m) => m.text.includes('guarded.example.test'))).toHaveLength(1);
  });

  it('tells the security team about authorities expiring, once, and sends the periodic summary', async () => {
    const rule = await api('POST', '/api/v1/notifications/rules', {
      channelId: mailId,
      match: 'all',
      recipient: 'security@example.test',
      events: ['authority-expiry', 'summary'],
    });
    expect(rule.status, rule.text).toBe(201);
    // A new authority: the ones made earlier were noticed (with no one to tell) by the runs before this rule.
    const late = await api('POST', '/api/v1/authorities', {
      name: 'Late Root',
      type: 'root',
      subject: { commonName: 'Late Root' },
    });
    expect(late.status, late.text).toBe(201);
    await runJob('expiry-notifications');
    await runJob('expiry-notifications');
    const cas = smtp.to('security@example.test');
    expect(cas.map((m) => m.subject)).toEqual(['[Tarsier] 1 authority will expire soon']);
    expect(cas[0]!.text).toContain('authority Late Root');
    expect(cas[0]!.text).toContain('successor authority');

    expect(await runJob('security-summary')).toMatchObject({ items: 1, messages: 1 });
    const [summary] = smtp
      .to('security@example.test')
      .filter((m) => m.subject === '[Tarsier] Tarsier security summary');
    expect(summary!.text).toMatch(/certificates revoked in the last 7 days: [1-9]/);
    expect(summary!.text).toContain('certificates expiring within 30 days:');
    // At most one a day, however often it runs.
    expect(await runJob('security-summary')).toMatchObject({ items: 0 });
  });
});
