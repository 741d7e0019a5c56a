// The API's contract: health, OpenAPI 3.1 generated from the route schemas, authentication answers, the error
// envelope and its documented codes, and the documented configuration.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS } from '../src/config.ts';
import { ERROR_CODES } from '../src/errors.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

describe('API contract', () => {
  let t: RunningTarsier;
  beforeAll(async () => {
    t = await startTarsier();
  });
  afterAll(async () => t?.stop());

  it('answers /healthz without a token', async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('serves an OpenAPI 3.1 document covering every route, with request schemas', async () => {
    const doc: any = (await t.api('GET', '/api/v1/openapi.json', undefined, 'none')).json;
    expect(doc.openapi).toBe('3.1.0');
    for (const p of [
      '/api/v1/auth/login',
      '/api/v1/authorities',
      '/api/v1/authorities/{id}/chain',
      '/api/v1/certificates',
      '/api/v1/certificates/import',
      '/api/v1/certificates/{id}/export',
      '/api/v1/certificates/{id}/rotate',
    ]) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    const issue = doc.paths['/api/v1/certificates'].post;
    const schema = issue.requestBody.content['application/json'].schema;
    expect(schema.required ?? []).toEqual([]);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['authorityId', 'issuerId', 'issuerOptions']),
    );
    expect(schema.properties.keyType.enum).toEqual([
      'ec-p256',
      'ec-p384',
      'rsa-2048',
      'rsa-3072',
      'rsa-4096',
      'ed25519',
    ]);
  });

  it('refuses missing, unknown and malformed tokens, and wrong passwords, with 401', async () => {
    const none = await fetch(`${t.url}/api/v1/certificates`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).error.code).toBe('unauthenticated');
    expect((await t.api('GET', '/api/v1/certificates', undefined, 'forged-token')).status).toBe(401);
    const basic = await fetch(`${t.url}/api/v1/certificates`, { headers: { authorization: 'Basic YWRtaW46eA==' } });
    expect(basic.status).toBe(401);
    const wrong = await t.api('POST', '/api/v1/auth/login', { username: 'admin', password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.message).toBe('wrong username or password');
    const unknown = await t.api('POST', '/api/v1/auth/login', { username: 'mallory', password: 'nope' });
    expect(unknown.status).toBe(401);
    const denied = await t.services.audit.recent({ action: 'auth.login' });
    expect(denied.filter((e) => e.outcome === 'denied').map((e) => e.actor)).toEqual(['user:mallory', 'user:admin']);
  });

  it('answers unknown routes and malformed bodies with the JSON error envelope', async () => {
    const missing = await t.api('GET', '/api/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('not_found');
    const badJson = await t.api('POST', '/api/v1/authorities', '{"name": ');
    expect(badJson.status).toBe(400);
    expect(badJson.json.error.code).toBe('validation_failed');
    const wrongType = await fetch(`${t.url}/api/v1/authorities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(wrongType.status).toBe(415);
    expect(((await wrongType.json()) as any).error.message).toBe('send the body as application/json');
    const missingField = await t.api('POST', '/api/v1/authorities', { type: 'root', subject: { commonName: 'x' } });
    expect(missingField.json.error).toEqual({
      code: 'validation_failed',
      message: 'name: is required',
      details: { field: 'name' },
    });
    const badCountry = await t.api('POST', '/api/v1/authorities', {
      name: 'c',
      type: 'root',
      subject: { commonName: 'x', country: 'Germany' },
    });
    expect(badCountry.status).toBe(400);
    expect(badCountry.json.error.message).toMatch(/^subject\.country: /);
  });

  it('documents every error code in docs/api.md, and nothing else', () => {
    const doc = fs.readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|/gm)].map((m) => [m[1], Number(m[2])]);
    expect(Object.fromEntries(documented)).toEqual(ERROR_CODES);
  });

  it('documents every setting in docs/configuration.md', () => {
    const doc = fs.readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    for (const [name, s] of Object.entries(SETTINGS)) {
      const row = doc.split('\n').find((l) => new RegExp(`^\\|\\s*${name}\\s*\\|`).test(l));
      expect(row, name).toBeDefined();
      expect(row).toContain(`\`${s.env}\``);
      expect(row).toContain(s.description);
    }
  });
});
