import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventRow } from '../src/db/schema.ts';
import { runTarsier } from './harness/cli.ts';
import { testDialects } from './harness/databases.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

interface AuditEvent {
  id: number;
  seq: number;
  at: string;
  actor: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  clientAddress: string | null;
  outcome: string;
  details: Record<string, unknown>;
}

async function tarsier(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; out: string; err: string }> {
  const r = await runTarsier(args, env);
  return { code: r.code, out: r.stdout, err: r.stderr };
}

describe.each(testDialects())('audit log on %s', (dialect) => {
  let t: RunningTarsier;
  let authorityId: number;

  const events = async (query: Record<string, string | number>) => {
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
    const r = await t.api('GET', `/api/v1/audit-events?${qs}`);
    expect(r.status, r.text).toBe(200);
    return r.json as { items: AuditEvent[]; next: string | null };
  };
  const verify = async () => {
    const r = await t.api('POST', '/api/v1/audit-events/verify');
    expect(r.status, r.text).toBe(200);
    return r.json as { ok: boolean; count: number; reason?: string; firstBadId?: number | null; seq?: number };
  };
  const issue = async (commonName: string) => {
    const r = await t.api('POST', '/api/v1/certificates', { authorityId, commonName });
    expect(r.status, r.text).toBe(201);
    return r.json as { id: number };
  };
  const rows = () => t.services.db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
  const restore = (row: AuditEventRow) => t.services.db.insertInto('audit_events').values(row).execute();

  beforeAll(async () => {
    t = await startTarsier({ dialect });
    const ca = await t.api('POST', '/api/v1/authorities', {
      name: 'Audit Root',
      type: 'root',
      subject: { commonName: 'Audit Root' },
    });
    expect(ca.status, ca.text).toBe(201);
    authorityId = ca.json.id;
  });
  afterAll(async () => t?.stop());

  it('records changes, key reads and denied attempts with actor, client address and outcome', async () => {
    const cert = await issue('audited.example.com');
    const key = await t.api('POST', `/api/v1/certificates/${cert.id}/export`, { format: 'pem', include: ['key'] });
    expect(key.status, key.text).toBe(200);
    expect((await t.api('POST', '/api/v1/auth/login', { username: 'admin', password: 'wrong' })).status).toBe(401);

    const trail = await events({ targetType: 'certificate', targetId: cert.id });
    expect(trail.items.map((e) => [e.action, e.actor, e.clientAddress, e.outcome])).toEqual([
      ['certificate.export-key', 'user:admin', '127.0.0.1', 'success'],
      ['certificate.issue', 'user:admin', '127.0.0.1', 'success'],
    ]);
    expect(trail.items[1]!.details).toMatchObject({ authorityId, commonName: 'audited.example.com' });
    const denied = await events({ action: 'auth.login', limit: 1 });
    expect(denied.items[0]).toMatchObject({ actor: 'user:admin', outcome: 'denied', clientAddress: '127.0.0.1' });
    expect((await events({ actor: 'user:admin', action: 'authority.create' })).items[0]).toMatchObject({
      targetType: 'authority',
      targetId: String(authorityId),
    });
  });

  it('filters by time and pages newest first with a cursor', async () => {
    for (let i = 0; i < 5; i++) await issue(`page-${i}.example.com`);
    const all = await events({ action: 'certificate.issue', limit: 500 });
    const pages: number[] = [];
    let next: string | null = null;
    do {
      const page = await events({ action: 'certificate.issue', limit: 2, ...(next ? { cursor: next } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      pages.push(...page.items.map((e) => e.id));
      next = page.next;
    } while (next);
    expect(pages).toEqual(all.items.map((e) => e.id));
    expect(pages.length).toBeGreaterThanOrEqual(5);

    const newest = all.items[0]!;
    expect((await events({ since: newest.at, action: 'certificate.issue' })).items.map((e) => e.id)).toContain(
      newest.id,
    );
    expect((await events({ until: '2000-01-01' })).items).toEqual([]);
    expect((await events({ since: '2000-01-01', until: '2999-12-31', limit: 1 })).items).toHaveLength(1);

    const bad = await t.api('GET', '/api/v1/audit-events?since=last-tuesday');
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'validation_failed', details: { field: 'since' } });
    expect((await t.api('GET', '/api/v1/audit-events?cursor=nope')).json.error.code).toBe('validation_failed');
    expect((await fetch(`${t.url}/api/v1/audit-events`)).status).toBe(401);
  });

  it('answers only the declared fields', async () => {
    const [e] = (await events({ limit: 1 })).items;
    expect(Object.keys(e!).sort()).toEqual(
      [
        'id',
        'seq',
        'at',
        'actor',
        'action',
        'targetType',
        'targetId',
        'clientAddress',
        'outcome',
        'details',
        'prevHash',
        'hash',
      ].sort(),
    );
  });

  it('verifies the intact chain', async () => {
    const report = await verify();
    expect(report).toMatchObject({ ok: true });
    expect(report.count).toBe((await rows()).length);
  });

  it('names an event whose actor was changed in the database as altered', async () => {
    const middle = (await rows())[2]!;
    await t.services.db
      .updateTable('audit_events')
      .set({ actor: 'user:mallory' })
      .where('id', '=', middle.id)
      .execute();
    expect(await verify()).toMatchObject({ ok: false, reason: 'altered', firstBadId: middle.id, seq: middle.seq });
    await t.services.db.updateTable('audit_events').set({ actor: middle.actor }).where('id', '=', middle.id).execute();
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('reports a deleted middle event as missing, at the event after it', async () => {
    const all = await rows();
    const [gone, after] = [all[3]!, all[4]!];
    await t.services.db.deleteFrom('audit_events').where('id', '=', gone.id).execute();
    expect(await verify()).toMatchObject({ ok: false, reason: 'missing', firstBadId: after.id, seq: gone.seq });
    await restore(gone);
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('detects a deleted last event', async () => {
    const last = (await rows()).at(-1)!;
    await t.services.db.deleteFrom('audit_events').where('id', '=', last.id).execute();
    expect(await verify()).toMatchObject({ ok: false, reason: 'missing', firstBadId: null, seq: last.seq });
    await restore(last);
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('keeps one intact chain through 20 concurrent certificate issues', async () => {
    const before = (await rows()).length;
    const issued = await Promise.all(Array.from({ length: 20 }, (_, i) => issue(`concurrent-${i}.example.com`)));
    const after = await rows();
    expect(after.length).toBe(before + 20);
    expect(new Set(after.map((r) => r.seq)).size).toBe(after.length);
    const issuedIds = new Set(issued.map((c) => String(c.id)));
    expect(after.filter((r) => r.action === 'certificate.issue' && issuedIds.has(r.target_id ?? ''))).toHaveLength(20);
    expect(await verify()).toMatchObject({ ok: true, count: after.length });
  });

  it('`tarsier audit verify` exits 0 when intact and 1 naming the bad event', async () => {
    const { TARSIER_TOKEN_FILE: _unused, ...outer } = process.env;
    const env = { ...outer, TARSIER_URL: t.url, TARSIER_TOKEN: t.token };
    const ok = await tarsier(['audit', 'verify'], env);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/^the audit log is intact: \d+ events/);

    const victim = (await rows())[1]!;
    await t.services.db.updateTable('audit_events').set({ outcome: 'denied' }).where('id', '=', victim.id).execute();
    try {
      const broken = await tarsier(['audit', 'verify'], env);
      expect(broken.code).toBe(1);
      expect(broken.err).toContain(`the audit log is broken at event ${victim.id}: altered`);
    } finally {
      await t.services.db
        .updateTable('audit_events')
        .set({ outcome: victim.outcome })
        .where('id', '=', victim.id)
        .execute();
    }
    const list = await tarsier(['audit', 'list', '--action', 'certificate.export-key', '--target', 'certificate'], env);
    expect(list.code, list.err).toBe(0);
    expect(list.out).toMatch(/^ID\s+AT\s+ACTOR\s+ACTION\s+TARGET\s+OUTCOME\s+CLIENT\n/);
    expect(list.out).toMatch(/certificate\.export-key\s+certificate:\d+\s+success\s+127\.0\.0\.1/);
  });
});
