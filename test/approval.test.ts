// Sensitive domains and approval, on SQLite and PostgreSQL: a request for a sensitive name is held; a user
// without the right cannot approve; a security reviewer approves and the certificate appears with the original
// options; rejection, double decisions, unregistered-name policies; the audit trail shows each step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from './harness/databases.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

describe.each(testDialects())('approval of sensitive names on %s', (dialect) => {
  let t: RunningTarsier;
  let ca: any;
  let alice: string;
  let sam: string;

  beforeAll(async () => {
    t = await startTarsier({ dialect });
    ca = (
      await t.api('POST', '/api/v1/authorities', { name: 'CA', type: 'root', subject: { commonName: 'Approval CA' } })
    ).json;
    alice = await t.userToken('alice', ['user', 'payments']);
    sam = await t.userToken('sam', ['security']);
    expect((await t.api('POST', '/api/v1/domains', { name: 'example.com' })).status).toBe(201);
    const sensitive = await t.api('POST', '/api/v1/domains', {
      name: '*.payments.example.com',
      sensitive: true,
      description: 'PCI',
    });
    expect(sensitive.status, sensitive.text).toBe(201);
    expect(sensitive.json).toMatchObject({ name: 'payments.example.com', sensitive: true });
  });
  afterAll(async () => t?.stop());

  it('issues ordinary names at once and holds sensitive ones, saying why', async () => {
    const plain = await t.api(
      'POST',
      '/api/v1/certificates',
      { authorityId: ca.id, commonName: 'www.example.com' },
      alice,
    );
    expect(plain.status).toBe(201);
    const held = await t.api(
      'POST',
      '/api/v1/certificates',
      {
        authorityId: ca.id,
        commonName: 'api.payments.example.com',
        sans: { dns: ['www.example.com'] },
        validityDays: 90,
        reason: 'new card API',
      },
      alice,
    );
    expect(held.status, held.text).toBe(202);
    expect(held.json.status).toBe('pending-approval');
    expect(held.json.request).toMatchObject({
      status: 'pending',
      requestedBy: 'user:alice',
      reason: 'new card API',
      names: ['api.payments.example.com', 'www.example.com'],
      heldFor: [{ name: 'api.payments.example.com', why: 'payments.example.com is a sensitive domain' }],
      certificateId: null,
    });
    expect((await t.api('GET', '/api/v1/certificates?q=api.payments')).json.items).toHaveLength(0);
  });

  it('lets a security reviewer approve (not the requester, not a plain user); the certificate follows', async () => {
    const held = (
      await t.api(
        'POST',
        '/api/v1/certificates',
        { authorityId: ca.id, commonName: 'pos.payments.example.com', validityDays: 45 },
        alice,
      )
    ).json.request;
    const byUser = await t.api('POST', `/api/v1/requests/${held.id}/approve`, {}, alice);
    expect(byUser.status).toBe(403);
    expect(
      (await t.api('GET', '/api/v1/requests?status=pending', undefined, sam)).json.items.map((r: any) => r.id),
    ).toContain(held.id);
    const approved = await t.api('POST', `/api/v1/requests/${held.id}/approve`, { comment: 'ticket SEC-42' }, sam);
    expect(approved.status, approved.text).toBe(200);
    expect(approved.json).toMatchObject({ status: 'approved', decidedBy: 'user:sam', comment: 'ticket SEC-42' });
    const cert = (await t.api('GET', `/api/v1/certificates/${approved.json.certificateId}`)).json;
    expect(cert).toMatchObject({ commonName: 'pos.payments.example.com', owner: 'payments', createdBy: 'user:alice' });
    expect(Math.round((Date.parse(cert.notAfter) - Date.parse(cert.notBefore)) / 86_400_000)).toBe(45);
    expect((await t.api('POST', `/api/v1/requests/${held.id}/approve`, {}, sam)).status).toBe(409);
    const trail = (
      await t.services.db
        .selectFrom('audit_events')
        .select(['actor', 'action'])
        .where('action', 'like', 'request.%')
        .where('target_id', '=', String(held.id))
        .orderBy('id')
        .execute()
    ).map((e) => `${e.actor} ${e.action}`);
    expect(trail).toEqual(['user:alice request.create', 'user:sam request.approve']);
    const issued = cert.events.map((e: any) => `${e.actor} ${e.action}`);
    expect(issued).toEqual(['user:alice certificate.issue']);
    const mine = (await t.api('GET', '/api/v1/requests?mine=true', undefined, alice)).json.items;
    expect(mine.find((r: any) => r.id === held.id).status).toBe('approved');
  });

  it('rejects with a comment, and issues nothing', async () => {
    const held = (
      await t.api('POST', '/api/v1/certificates', { authorityId: ca.id, commonName: 'x.payments.example.com' }, alice)
    ).json.request;
    const rejected = await t.api('POST', `/api/v1/requests/${held.id}/reject`, { comment: 'use the shared cert' }, sam);
    expect(rejected.json).toMatchObject({ status: 'rejected', comment: 'use the shared cert', certificateId: null });
    expect((await t.api('POST', `/api/v1/requests/${held.id}/approve`, {}, sam)).status).toBe(409);
  });

  it('holds or refuses names outside every registered domain, as the authority says', async () => {
    const strict = (
      await t.api('POST', '/api/v1/authorities', {
        name: 'Strict',
        type: 'root',
        subject: { commonName: 'Strict' },
        unregisteredNames: 'deny',
      })
    ).json;
    const refused = await t.api(
      'POST',
      '/api/v1/certificates',
      { authorityId: strict.id, commonName: 'www.other.net' },
      alice,
    );
    expect(refused.status).toBe(422);
    expect(refused.json.error.message).toBe(
      "authority 'Strict' issues only for registered domains; not registered: www.other.net",
    );
    expect(
      (await t.api('POST', '/api/v1/certificates', { authorityId: strict.id, commonName: 'ok.example.com' }, alice))
        .status,
    ).toBe(201);
    const careful = (
      await t.api('POST', '/api/v1/authorities', {
        name: 'Careful',
        type: 'root',
        subject: { commonName: 'Careful' },
        unregisteredNames: 'approve',
      })
    ).json;
    const held = await t.api(
      'POST',
      '/api/v1/certificates',
      { authorityId: careful.id, commonName: 'www.other.net' },
      alice,
    );
    expect(held.status).toBe(202);
    expect(held.json.request.heldFor).toEqual([
      { name: 'www.other.net', why: 'it is outside every registered domain' },
    ]);
  });

  it('manages domains: duplicates refused, sensitivity changed, removal', async () => {
    expect((await t.api('POST', '/api/v1/domains', { name: 'EXAMPLE.com' })).status).toBe(409);
    expect((await t.api('POST', '/api/v1/domains', { name: 'bad domain' })).json.error.message).toMatch(
      /^name: 'bad domain' is not a valid DNS name/,
    );
    expect((await t.api('POST', '/api/v1/domains', { name: 'shop.example.com' }, alice)).status).toBe(403);
    const d = (await t.api('POST', '/api/v1/domains', { name: 'shop.example.com' })).json;
    expect((await t.api('PATCH', `/api/v1/domains/${d.id}`, { sensitive: true })).json.sensitive).toBe(true);
    expect(
      (await t.api('POST', '/api/v1/certificates', { authorityId: ca.id, commonName: 'cart.shop.example.com' }, alice))
        .status,
    ).toBe(202);
    expect((await t.api('DELETE', `/api/v1/domains/${d.id}`)).status).toBe(204);
    expect(
      (await t.api('POST', '/api/v1/certificates', { authorityId: ca.id, commonName: 'cart.shop.example.com' }, alice))
        .status,
    ).toBe(201);
    expect((await t.api('GET', '/api/v1/domains', undefined, alice)).json.items.map((x: any) => x.name)).toEqual([
      'example.com',
      'payments.example.com',
    ]);
  });
});
