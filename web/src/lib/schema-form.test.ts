import { describe, expect, it } from 'vitest';
import { collectValues, rawValues, schemaFields } from './schema-form.ts';

// The shape of an issuer plugin's published options (cf. GET /api/v1/issuers/plugins).
const schema = {
  type: 'object',
  required: ['directoryUrl', 'email'],
  properties: {
    directoryUrl: { type: 'string', title: 'Directory URL', pattern: '^https?://' },
    email: { type: 'string', minLength: 3 },
    challenge: { type: 'string', enum: ['http-01', 'dns-01'] },
    retries: { type: 'integer', minimum: 0, maximum: 10 },
    insecure: { type: 'boolean' },
    caRoots: { type: 'array', items: { type: 'string' } },
    dns: { type: 'object', properties: {} },
    profile: { anyOf: [{ type: 'string' }, { type: 'null' }] },
  },
};

// What the form below sends once filled in.
const typed = {
  directoryUrl: 'https://acme.test/dir',
  email: 'pki@example.com',
  retries: 3,
  insecure: true,
  caRoots: ['a.pem', 'b.pem'],
  dns: { provider: 'rfc2136' },
};

describe('forms rendered from a plugin option schema', () => {
  it('turns each property into a field of the right kind, required ones marked', () => {
    const fields = schemaFields(schema);
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ['directoryUrl', 'text', true],
      ['email', 'text', true],
      ['challenge', 'select', false],
      ['retries', 'number', false],
      ['insecure', 'boolean', false],
      ['caRoots', 'list', false],
      ['dns', 'json', false],
      ['profile', 'text', false],
    ]);
    expect(fields[0]!.label).toBe('Directory URL');
    expect(schemaFields(schema, true)[1]!.kind).toBe('password');
  });

  it('sends typed values and omits empty optional fields', () => {
    const { value, errors } = collectValues(schemaFields(schema), {
      directoryUrl: 'https://acme.test/dir',
      email: 'pki@example.com',
      retries: '3',
      insecure: true,
      caRoots: 'a.pem\nb.pem',
      dns: '{"provider":"rfc2136"}',
      challenge: '',
    });
    expect(errors).toEqual({});
    expect(value).toEqual(typed);
  });

  it('names the field and the fix for each bad value', () => {
    const { errors } = collectValues(schemaFields(schema), {
      directoryUrl: 'acme.test',
      retries: '2.5',
      dns: '{oops',
    });
    expect(errors).toEqual({
      directoryUrl: 'Directory URL does not have the expected form (^https?://)',
      email: 'email is required',
      retries: 'retries must be a whole number',
      dns: 'dns must be JSON, e.g. {"key": "value"}',
    });
    expect(collectValues(schemaFields(schema), { retries: '11' }).errors.retries).toBe('retries must be at most 10');
  });

  it('shows saved settings in the form so that an unchanged form sends them back as they were', () => {
    const fields = schemaFields(schema);
    const raw = rawValues(fields, typed);
    expect(raw).toMatchObject({ retries: '3', caRoots: 'a.pem\nb.pem', dns: '{"provider":"rfc2136"}' });
    expect(collectValues(fields, raw)).toEqual({ value: typed, errors: {} });
  });
});
