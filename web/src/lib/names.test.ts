import { describe, expect, it } from 'vitest';
import { checkName, dnsNameProblem, suggestNames } from './names.ts';
import type { Authority, Domain } from './types.ts';

const domain = (name: string, sensitive = false) => ({ id: 1, name, sensitive }) as Domain;
const authority = (policy: Partial<Authority['policy']>) =>
  ({ id: 2, name: 'Issuing', policy: { maxValidityDays: 397, ...policy } }) as Authority;
const domains = [domain('example.com'), domain('pay.example.com', true)];

describe('name checks in the request wizard', () => {
  it('says what is wrong with a malformed DNS name', () => {
    expect(dnsNameProblem('www.example.com')).toBeUndefined();
    expect(dnsNameProblem('*.example.com')).toBeUndefined();
    expect(dnsNameProblem('exa mple.com')).toMatch(/no spaces/);
    expect(dnsNameProblem('www')).toMatch(/full name/);
    expect(dnsNameProblem('a.*.example.com')).toMatch(/leftmost label/);
    expect(dnsNameProblem('-bad.example.com')).toMatch(/'-bad' is not a valid label/);
    expect(dnsNameProblem(`${'a'.repeat(64)}.com`)).toMatch(/1-63/);
  });

  it('flags names under a sensitive domain as needing approval, the closest domain winning', () => {
    expect(checkName('api.pay.example.com', domains)).toEqual({
      level: 'approval',
      message: expect.stringMatching(/pay\.example\.com is sensitive/),
    });
    expect(checkName('www.example.com', domains)).toEqual({ level: 'ok', message: 'in example.com' });
    expect(checkName('10.0.0.1', domains).level).toBe('ok');
  });

  it("applies the authority's name constraints and its rule for unregistered names", () => {
    const constrained = authority({
      nameConstraints: { permittedDns: ['example.com'], excludedDns: ['secret.example.com'] },
    });
    expect(checkName('www.other.org', domains, constrained)).toEqual({
      level: 'error',
      message: 'Issuing signs only names under example.com',
    });
    expect(checkName('x.secret.example.com', domains, constrained).message).toBe(
      'Issuing may not sign names under secret.example.com',
    );
    expect(checkName('www.other.org', domains, authority({ unregisteredNames: 'deny' })).level).toBe('error');
    expect(checkName('www.other.org', domains, authority({ unregisteredNames: 'approve' })).level).toBe('approval');
    expect(checkName('www.other.org', domains, authority({})).level).toBe('ok');
  });

  it('suggests the typed host under each registered domain that fits what was typed', () => {
    expect(suggestNames('www', domains)).toEqual(['www.example.com', 'www.pay.example.com']);
    expect(suggestNames('www.pa', domains)).toEqual(['www.pay.example.com']);
    expect(suggestNames('www.example.com', domains)).toEqual([]);
    expect(suggestNames('', domains)).toEqual([]);
  });
});
