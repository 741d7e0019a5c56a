// The request wizard's state and the API body it becomes (POST /api/v1/certificates). Pure, so the rules
// (which step may proceed, what is sent) are unit-tested without a browser.
import { checkName, isIp, type NameCheck } from './names.ts';
import { collectValues, type RawValues, type SchemaField } from './schema-form.ts';
import type { Authority, Domain } from './types.ts';

export interface RequestState {
  /** `authority:3` or `issuer:1` */
  source: string;
  names: string[];
  keyType: string;
  validityDays: string;
  owner: string;
  notify: boolean;
  reason: string;
  signatureHash: string;
  extendedKeyUsages: string;
  issuerOptions: RawValues;
  /** Destination ids to deploy to once issued. */
  destinations: number[];
}

/** The wizard's steps, in order (issue 8: pick an authority, type names, choose destinations, done). */
export const STEPS = ['Issuer', 'Names', 'Destinations', 'Options', 'Review'] as const;

export const NEW_REQUEST: RequestState = {
  source: '',
  names: [],
  keyType: 'ec-p256',
  validityDays: '',
  owner: '',
  notify: true,
  reason: '',
  signatureHash: '',
  extendedKeyUsages: '',
  issuerOptions: {},
  destinations: [],
};

export function parseSource(source: string): { kind: 'authority' | 'issuer'; id: number } | undefined {
  const m = source.match(/^(authority|issuer):(\d+)$/);
  return m ? { kind: m[1] as 'authority' | 'issuer', id: Number(m[2]) } : undefined;
}

export function nameChecks(s: RequestState, domains: readonly Domain[], authority?: Authority): NameCheck[] {
  return s.names.map((n) => checkName(n, domains, authority));
}

export const needsApproval = (checks: NameCheck[]) => checks.some((c) => c.level === 'approval');

/** What stops a step from going on, by field; empty when it may. */
export function stepErrors(
  step: number,
  s: RequestState,
  ctx: { domains: readonly Domain[]; authority?: Authority; requestFields: SchemaField[] },
): Record<string, string> {
  const errors: Record<string, string> = {};
  const name = STEPS[step];
  if (name === 'Issuer' && !parseSource(s.source)) errors.source = 'choose an authority or an issuer';
  if (name === 'Names') {
    if (s.names.length === 0) errors.names = 'add at least one name, e.g. www.example.com';
    const bad = nameChecks(s, ctx.domains, ctx.authority).findIndex((c) => c.level === 'error');
    if (bad >= 0) errors.names = `${s.names[bad]}: ${nameChecks(s, ctx.domains, ctx.authority)[bad]!.message}`;
  }
  if (name === 'Options') {
    const max = ctx.authority?.policy.maxValidityDays;
    const days = s.validityDays.trim();
    if (days && !/^\d+$/.test(days)) errors.validityDays = 'validity is a whole number of days';
    else if (days && max && Number(days) > max)
      errors.validityDays = `${ctx.authority!.name} allows at most ${max} days`;
    const allowed = ctx.authority?.policy.allowedKeyTypes;
    if (allowed?.length && !allowed.includes(s.keyType))
      errors.keyType = `${ctx.authority!.name} allows only ${allowed.join(', ')}`;
    Object.assign(errors, collectValues(ctx.requestFields, s.issuerOptions).errors);
  }
  return errors;
}

/** The body of POST /api/v1/certificates for this state. */
export function issueBody(s: RequestState, requestFields: SchemaField[]): Record<string, unknown> {
  const source = parseSource(s.source);
  const [first] = s.names;
  const dns = s.names.filter((n) => !isIp(n));
  const ip = s.names.filter((n) => isIp(n));
  const body: Record<string, unknown> = {
    commonName: first && !isIp(first) && first.length <= 64 ? first : undefined,
    sans: { dns, ip },
    keyType: s.keyType,
    notify: s.notify,
  };
  if (source?.kind === 'authority') body.authorityId = source.id;
  if (source?.kind === 'issuer') {
    body.issuerId = source.id;
    const options = collectValues(requestFields, s.issuerOptions).value;
    if (Object.keys(options).length) body.issuerOptions = options;
  }
  if (s.validityDays.trim()) body.validityDays = Number(s.validityDays);
  if (s.destinations.length) body.destinations = s.destinations;
  if (s.owner.trim()) body.owner = s.owner.trim();
  if (s.reason.trim()) body.reason = s.reason.trim();
  if (s.signatureHash) body.signatureHash = s.signatureHash;
  const ekus = s.extendedKeyUsages.split(/[\s,]+/).filter(Boolean);
  if (ekus.length) body.extendedKeyUsages = ekus;
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  return body;
}
