// The pending-certificate queue on both databases, with the issuer's side replaced by a scripted `advance`
// (the real issuers are exercised in issuer-*.test.ts): claims are exclusive across processes, faults back off and
// give up, refusals fail at once with the issuer's words, a crashed worker's claim runs out, cancel and retry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PendingCertificateRow } from '../src/db/schema.ts';
import { IssuanceFailed, type IssueOutcome } from '../src/modules/issuers/plugin.ts';
import { backoffSeconds, createPendingService } from '../src/modules/pending/service.ts';
import { insertPending } from '../src/modules/pending/store.ts';
import { testDialects } from './harness/databases.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };

describe.each(testDialects())('pending certificate queue on %s', (dialect) => {
  let t: RunningTarsier;
  let issuerId: number;
  let now = new Date('2030-01-01T00:00:00Z');
  const clock = () => now;

  beforeAll(async () => {
    t = await startTarsier({ dialect });
    const at = now.toISOString();
    const r = await t.services.db
      .insertInto('issuers')
      .values({ name: 'scripted', plugin: 'cfssl', options: '{}', created_at: at, updated_at: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    issuerId = r.id;
  });
  afterAll(async () => t?.stop());

  async function addPending(owner = 'admin'): Promise<number> {
    const at = now.toISOString();
    return insertPending(t.services.db, {
      issuer_id: issuerId,
      status: 'pending',
      common_name: 'q.example.test',
      names: '["q.example.test"]',
      owner,
      request: '{}',
      csr_pem: '',
      state: '{"step":0}',
      next_attempt_at: at,
      created_at: at,
      created_by: 'user:admin',
      updated_at: at,
    });
  }
  const queue = (advance: (p: PendingCertificateRow) => Promise<{ outcome: IssueOutcome }>, maxAttempts = 3) =>
    createPendingService({
      db: t.services.db,
      audit: t.services.audit,
      issuers: t.services.issuers,
      advance,
      clock,
      log: quiet,
      maxAttempts,
    });
  const show = (id: number) => t.services.pending.get(id);

  it('lets exactly one of two processes work a due row', async () => {
    const id = await addPending();
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow = async () => {
      calls++;
      await gate;
      return { outcome: { status: 'pending' as const, state: { step: 1 }, retryAfterSeconds: 30 } };
    };
    const a = queue(slow).processDue();
    await new Promise((r) => setTimeout(r, 50));
    const b = await queue(slow).processDue();
    release();
    expect(await a).toBeGreaterThanOrEqual(1);
    expect(b).toBe(0);
    expect(calls).toBe(1);
    const p = await show(id);
    expect(p.status).toBe('pending');
    expect(p.attempts).toBe(1);
    expect(p.nextAttemptAt).toBe(new Date(now.getTime() + 30_000).toISOString());
    await t.services.pending.cancel(id, { principal: await adminPrincipal() });
  });

  it('backs off on faults and gives up after the limit, keeping the last error', async () => {
    const id = await addPending();
    const failing = queue(async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:9');
    });
    await failing.processDue();
    let p = await show(id);
    expect(p.status).toBe('pending');
    expect(p.lastError).toContain('ECONNREFUSED');
    expect(p.nextAttemptAt).toBe(new Date(now.getTime() + backoffSeconds(1) * 1000).toISOString());
    expect(await failing.processDue()).toBe(0); // not due yet
    for (const n of [1, 2]) {
      now = new Date(now.getTime() + backoffSeconds(n) * 1000);
      await failing.processDue();
    }
    p = await show(id);
    expect(p.status).toBe('failed');
    expect(p.attempts).toBe(3);
    expect(p.lastError).toMatch(/^gave up after 3 attempts; last error: connect ECONNREFUSED/);
  });

  it("fails at once on a refusal and keeps the issuer's own words", async () => {
    const id = await addPending();
    await queue(async () => {
      throw new IssuanceFailed(
        'ACME validation of q.example.test failed',
        'urn:ietf:params:acme:error:connection: refused',
      );
    }).processDue();
    const p = await show(id);
    expect(p.status).toBe('failed');
    expect(p.attempts).toBe(1);
    expect(p.lastError).toBe('ACME validation of q.example.test failed');
    expect(p.upstreamError).toBe('urn:ietf:params:acme:error:connection: refused');
    const events = await t.api(
      'GET',
      `/api/v1/audit-events?targetType=pending-certificate&targetId=${id}`,
      undefined,
      t.token,
    );
    expect(events.json.items.map((e: any) => e.action)).toContain('pending.fail');
  });

  it("takes over a row whose worker died once that worker's claim runs out", async () => {
    const id = await addPending();
    const until = new Date(now.getTime() + 120_000).toISOString();
    await t.services.db.updateTable('pending_certificates').set({ locked_until: until }).where('id', '=', id).execute();
    let calls = 0;
    const q = queue(async () => {
      calls++;
      return { outcome: { status: 'pending' as const, state: {} } };
    });
    await q.processDue();
    expect(calls).toBe(0);
    now = new Date(now.getTime() + 121_000);
    await q.processDue();
    expect(calls).toBe(1);
  });

  it('cancels and re-opens through the API; finished rows cannot be retried', async () => {
    const id = await addPending();
    const c = await t.api('POST', `/api/v1/pending-certificates/${id}/cancel`, undefined, t.token);
    expect(c.status).toBe(200);
    expect(c.json.status).toBe('cancelled');
    const again = await t.api('POST', `/api/v1/pending-certificates/${id}/retry`, undefined, t.token);
    expect(again.status).toBe(409);
    const list = await t.api('GET', '/api/v1/pending-certificates?status=cancelled', undefined, t.token);
    expect(list.json.items.map((p: any) => p.id)).toContain(id);
    const missing = await t.api('GET', '/api/v1/pending-certificates/999999', undefined, t.token);
    expect(missing.status).toBe(404);
  });

  it("refuses another user's pending certificate", async () => {
    const id = await addPending('someone-else');
    const token = await t.userToken('mallory', ['user']);
    const r = await t.api('POST', `/api/v1/pending-certificates/${id}/cancel`, undefined, token);
    expect(r.status).toBe(403);
  });

  async function adminPrincipal() {
    const user = await t.services.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', 'admin')
      .executeTakeFirstOrThrow();
    return t.services.identity.principalFor(user.id);
  }
});
