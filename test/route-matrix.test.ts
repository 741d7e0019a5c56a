// The whole route table × every built-in role: each route declares a permission, and a caller is refused with
// 403 exactly when their role lacks it. A new route cannot skip authorization: one without a declared
// permission (and not marked public) fails this test, and is refused at run time too.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from '../src/http/app.ts';
import { PERMISSIONS, ROLE_PERMISSIONS } from '../src/modules/identity/permissions.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

const PUBLIC = [
  'GET /healthz',
  'GET /',
  'GET /assets/*',
  'GET /api/v1/auth/methods',
  'GET /api/v1/openapi.json',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  'POST /api/v1/auth/ldap/login',
  'GET /api/v1/auth/oidc/login',
  'GET /api/v1/auth/oidc/callback',
  'GET /crl/:name',
  'POST /ocsp/:authorityId',
  'GET /ocsp/:authorityId/*',
  'GET /.well-known/acme-challenge/:token',
  'POST /api/v1/key-links',
];

describe('authorization matrix', () => {
  let t: RunningTarsier;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTarsier();
    for (const role of Object.keys(ROLE_PERMISSIONS))
      tokens[role] = role === 'admin' ? t.token : await t.userToken(`matrix-${role}`, [role]);
  });
  afterAll(async () => t?.stop());

  it('every route declares a known permission or is one of the few public ones', () => {
    const routes = routeTable(t.app);
    expect(routes.length).toBeGreaterThan(20);
    for (const r of routes) {
      const name = `${r.method} ${r.url}`;
      if (r.isPublic) expect(PUBLIC, name).toContain(name);
      else expect([...PERMISSIONS, 'self'], name).toContain(r.permission);
    }
  });

  it('documents every route in docs/api.md', () => {
    const doc = fs.readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8');
    for (const r of routeTable(t.app)) {
      if (r.url === '/api/v1/openapi.json') continue;
      const pattern = r.url
        .replace(/[.*+?^$()|[\]\\]/g, (c) => (c === '*' ? '\\{[^}]+\\}' : `\\${c}`))
        .replace(/:[A-Za-z]+/g, '\\{[^}]+\\}');
      expect(doc, `${r.method} ${r.url}`).toMatch(new RegExp(`\`${r.method} ${pattern}`));
    }
  });

  it('refuses each role exactly the routes whose permission it lacks, and never lets an anonymous caller in', async () => {
    const routes = routeTable(t.app).filter((r) => !r.isPublic);
    let checked = 0;
    for (const r of routes) {
      const url = r.url.replace(/:id|:authorityId/g, '999999').replace('*', 'x');
      const anonymous = await t.api(r.method, url, r.method === 'GET' ? undefined : {}, 'no-such-token');
      expect(anonymous.status, `anonymous ${r.method} ${url}`).toBe(401);
      for (const [role, token] of Object.entries(tokens)) {
        const allowed = r.permission === 'self' || (ROLE_PERMISSIONS[role] ?? []).includes(r.permission as never);
        const res = await t.api(r.method, url, r.method === 'GET' ? undefined : {}, token);
        const label = `${role} ${r.method} ${url} (${r.permission}) -> ${res.status} ${res.text.slice(0, 120)}`;
        if (allowed) expect(res.status, label).not.toBe(403);
        else expect(res.status, label).toBe(403);
        expect(res.status, label).not.toBe(500);
        checked++;
      }
    }
    expect(checked).toBe(routes.length * Object.keys(tokens).length);
  });
});
