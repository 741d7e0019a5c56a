// The settings schemas as the core checks them (TypeBox's Value.Errors): a typical configuration passes, a typo or
// a wrong type is refused, and every field carries the description the UI and CLI render.
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { AcmeOptionsSchema, AcmeRequestOptionsSchema, AcmeSecretsSchema } from './schemas.ts';

const typical = {
  directoryUrl: 'https://acme-staging-v02.api.letsencrypt.org/directory',
  email: 'pki@example.org',
  termsOfServiceAgreed: true,
  challenge: 'dns-01',
  dnsProvider: { type: 'route53', hostedZoneId: 'Z0123456789', propagationSeconds: 30 },
};

function fieldsWithoutDescription(schema: TSchema, path = ''): string[] {
  const s = schema as { properties?: Record<string, TSchema>; anyOf?: TSchema[]; description?: string };
  const out: string[] = [];
  for (const [key, sub] of Object.entries(s.properties ?? {})) {
    const d = sub as { description?: string; anyOf?: TSchema[] };
    if (!d.description) out.push(`${path}.${key}`);
    for (const v of d.anyOf ?? []) out.push(...fieldsWithoutDescription(v, `${path}.${key}`));
  }
  return out;
}

describe('ACME issuer settings schemas', () => {
  it('accept a typical configuration and refuse typos and wrong types', () => {
    expect([...Value.Errors(AcmeOptionsSchema, typical)]).toEqual([]);
    expect(Value.Check(AcmeOptionsSchema, { ...typical, directoryURL: 'x' })).toBe(false);
    expect(Value.Check(AcmeOptionsSchema, { ...typical, directoryUrl: 'not a url' })).toBe(false);
    expect(Value.Check(AcmeOptionsSchema, { ...typical, challenge: 'tls-alpn-01' })).toBe(false);
    expect(Value.Check(AcmeOptionsSchema, { ...typical, dnsProvider: { type: 'cloudflare' } })).toBe(false);
    expect(Value.Check(AcmeSecretsSchema, { tsigSecret: 'c2VjcmV0', awsAccessKeyId: 'AKID' })).toBe(true);
    expect(Value.Check(AcmeSecretsSchema, { password: 'x' })).toBe(false);
    expect(Value.Check(AcmeRequestOptionsSchema, { profile: 'tlsserver' })).toBe(true);
  });

  it('describe every field', () => {
    for (const schema of [AcmeOptionsSchema, AcmeSecretsSchema, AcmeRequestOptionsSchema]) {
      expect(fieldsWithoutDescription(schema)).toEqual([]);
    }
  });
});
