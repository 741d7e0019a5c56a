import { describe, expect, it } from 'vitest';
import { issueBody, NEW_REQUEST, stepErrors } from './request.ts';
import { schemaFields } from './schema-form.ts';
import type { Authority, Domain } from './types.ts';

const domains = [{ id: 1, name: 'example.com', sensitive: false }] as Domain[];
const authority = {
  id: 2,
  name: 'Issuing',
  policy: { maxValidityDays: 90, allowedKeyTypes: ['ec-p256'], unregisteredNames: 'deny' },
} as Authority;
const ctx = { domains, authority, requestFields: [] };

describe('the request wizard', () => {
  it('does not leave a step until it is complete, saying why', () => {
    expect(stepErrors(0, NEW_REQUEST, ctx)).toEqual({ source: 'choose an authority or an issuer' });
    expect(stepErrors(0, { ...NEW_REQUEST, source: 'authority:2' }, ctx)).toEqual({});
    expect(stepErrors(1, NEW_REQUEST, ctx).names).toMatch(/at least one name/);
    expect(stepErrors(1, { ...NEW_REQUEST, names: ['www.other.org'] }, ctx).names).toBe(
      'www.other.org: Issuing refuses names outside registered domains',
    );
    expect(stepErrors(3, { ...NEW_REQUEST, validityDays: '120', keyType: 'rsa-2048' }, ctx)).toEqual({
      validityDays: 'Issuing allows at most 90 days',
      keyType: 'Issuing allows only ec-p256',
    });
  });

  it('sends names as SANs, the first as common name, and only the options that were set', () => {
    const state = { ...NEW_REQUEST, source: 'authority:2', names: ['www.example.com', '10.0.0.1'], owner: ' web ' };
    expect(issueBody(state, [])).toEqual({
      authorityId: 2,
      commonName: 'www.example.com',
      sans: { dns: ['www.example.com'], ip: ['10.0.0.1'] },
      keyType: 'ec-p256',
      notify: true,
      owner: 'web',
    });
  });

  it("passes an external issuer's own options, typed by its schema", () => {
    const fields = schemaFields({ properties: { profile: { type: 'string' }, days: { type: 'integer' } } });
    const state = {
      ...NEW_REQUEST,
      source: 'issuer:7',
      names: ['a.example.com'],
      issuerOptions: { profile: 'tls', days: '30' },
    };
    expect(issueBody(state, fields)).toMatchObject({ issuerId: 7, issuerOptions: { profile: 'tls', days: 30 } });
  });

  it('deploys to the chosen destinations once issued, and sends no destinations when none were chosen', () => {
    const state = { ...NEW_REQUEST, source: 'authority:2', names: ['www.example.com'] };
    expect(stepErrors(2, state, ctx)).toEqual({});
    expect(issueBody(state, [])).not.toHaveProperty('destinations');
    expect(issueBody({ ...state, destinations: [4, 9] }, [])).toMatchObject({ destinations: [4, 9] });
  });
});
