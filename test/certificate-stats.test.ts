// GET /api/v1/certificates/stats, the dashboard's numbers, on both databases: counts by status agree with the
// inventory's own status filter, and the expiry chart counts what expires on each day, split as asked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaPair } from './harness/authorities.ts';
import { testDialects } from './harness/databases.ts';
import { type Workdir, workdir } from './harness/openssl.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

const DAY = 86_400_000;

describe.each(testDialects())('certificate stats (%s)', (dialect) => {
  let t: RunningTarsier;
  let w: Workdir;
  let authorityId: number;

  beforeAll(async () => {
    t = await startTarsier({ dialect });
    w = workdir();
    authorityId = (await createCaPair(t, w, 'Stats')).inter.id;
    const issue = async (name: string, extra: Record<string, unknown>) => {
      const r = await t.api('POST', '/api/v1/certificates', { authorityId, commonName: name, ...extra });
      expect(r.status, r.text).toBe(201);
      return r.json.id as number;
    };
    const at = (days: number) => new Date(Date.now() + days * DAY).toISOString();
    await issue('a.stats.test', { validityDays: 10, owner: 'web' });
    await issue('b.stats.test', { validityDays: 10, owner: 'pay', keyType: 'rsa-2048' });
    await issue('c.stats.test', { validityDays: 200, owner: 'web' });
    await issue('future.stats.test', { notBefore: at(5), notAfter: at(30) });
    const revoked = await issue('revoked.stats.test', { validityDays: 10 });
    const r = await t.api('POST', `/api/v1/certificates/${revoked}/revoke`, { reason: 'superseded' });
    expect(r.status, r.text).toBe(200);
  });
  afterAll(async () => {
    await t?.stop();
    w?.remove();
  });

  it('counts certificates by status exactly as the inventory filters them', async () => {
    const r = await t.api('GET', '/api/v1/certificates/stats');
    expect(r.status, r.text).toBe(200);
    expect(r.json.total).toBe(5);
    expect(r.json.byStatus).toEqual({ valid: 3, expired: 0, revoked: 1, notYetValid: 1 });
    for (const [status, key] of [
      ['valid', 'valid'],
      ['revoked', 'revoked'],
      ['not-yet-valid', 'notYetValid'],
    ] as const) {
      const list = await t.api('GET', `/api/v1/certificates?status=${status}&total=true`);
      expect(list.json.total, status).toBe(r.json.byStatus[key]);
    }
  });

  it('charts what expires on each of the next days, split by owner or key type, revoked ones left out', async () => {
    const byOwner = await t.api('GET', '/api/v1/certificates/stats?days=40&by=owner');
    expect(byOwner.json.expiring).toMatchObject({ days: 40, by: 'owner' });
    const series = Object.fromEntries(
      byOwner.json.expiring.series.map((s: { key: string; counts: number[] }) => [s.key, s.counts]),
    );
    const sum = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
    // Without an owner given, the requester owns it.
    expect(Object.keys(series).sort()).toEqual(['admin', 'pay', 'web']);
    expect([sum(series.web), sum(series.pay), sum(series.admin)]).toEqual([1, 1, 1]);
    expect(series.web.length).toBe(40);
    // Expiring in 10 days lands on day 10 (or 11 when issued just before midnight UTC).
    expect(series.web.findIndex((n: number) => n > 0)).toBeGreaterThanOrEqual(10);
    const byKey = await t.api('GET', '/api/v1/certificates/stats?days=40&by=keyType');
    expect(byKey.json.expiring.series.map((s: { key: string }) => s.key).sort()).toEqual(['ec-p256', 'rsa-2048']);
  });

  it('refuses a split it does not know, naming the field', async () => {
    const r = await t.api('GET', '/api/v1/certificates/stats?by=colour');
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/by/);
  });
});
