// Proves a CFSSL configuration before it is saved, without issuing anything: /info shows the server is CFSSL and
// which CA signs; /authsign with a request that carries no CSR shows whether the profile wants authentication and
// whether our key passes (CFSSL checks the token before it notices the missing CSR). CFSSL silently signs with its
// default profile when asked for a name it does not know, so an unknown profile is recognised by answering exactly
// as the default does, in /info and in /authsign.
import { parseCertificates } from '../../../crypto/parse.ts';
import { type IssuerConfig, IssuerConfigError } from '../plugin.ts';
import { authenticate, isHexKey } from './auth.ts';
import { type CfsslReply, CfsslUnreachable, callCfssl, errorText, NotCfssl } from './client.ts';
import type { CfsslOptions, CfsslSecrets } from './schemas.ts';

/** What /authsign says about a profile when sent our key (or no key) and no CSR. */
type AuthProbe =
  | { kind: 'disabled' } // no /authsign endpoint: no profile of this server authenticates
  | { kind: 'open' } // the profile has no auth_key
  | { kind: 'refused'; text: string } // the token did not verify (no key, or a wrong one)
  | { kind: 'accepted'; text: string } // the token verified; CFSSL then stopped at the missing CSR
  | { kind: 'unknown-profile'; text: string }; // multirootca names unknown profiles

const quoted = (profile: string | undefined) => (profile ? `profile '${profile}'` : 'the default profile');

/** Throws IssuerConfigError naming the field to fix; returns nothing when CFSSL accepts the configuration. */
export async function validateConfig(config: IssuerConfig<CfsslOptions, CfsslSecrets>): Promise<void> {
  const { options, secrets } = config;
  checkStatic(options, secrets);
  const info = await askInfo(options, options.profile);
  const probe = await probeAuth(options, options.profile, secrets.authKey);
  if (probe.kind === 'unknown-profile') {
    throw new IssuerConfigError('options.profile', `CFSSL at ${options.url} has no ${quoted(options.profile)}`);
  }
  if (options.profile) await checkProfileKnown(options, secrets.authKey, info, probe);
  checkAuth(options, secrets.authKey, probe);
}

/** Refuses a profile for which CFSSL answers exactly as for its default: the fallback for names it lacks. */
async function checkProfileKnown(options: CfsslOptions, key: string | undefined, info: InfoResult, probe: AuthProbe) {
  const fallback = await askInfo(options, undefined);
  const fallbackProbe = await probeAuth(options, undefined, key);
  if (sameInfo(info, fallback) && JSON.stringify(probe) === JSON.stringify(fallbackProbe)) {
    throw new IssuerConfigError(
      'options.profile',
      `CFSSL at ${options.url} answers for ${quoted(options.profile)} exactly as for its default profile ` +
        `(usages ${JSON.stringify(info.usages ?? [])}, expiry ${String(info.expiry ?? '?')}): CFSSL falls back to ` +
        'the default for a profile its signing configuration lacks, so the name is probably misspelt or missing. ' +
        'If the profile really is a copy of the default, leave options.profile empty.',
    );
  }
}

function checkStatic(options: CfsslOptions, secrets: CfsslSecrets): void {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new IssuerConfigError('options.url', `'${options.url}' is not a URL; give e.g. http://cfssl.internal:8888`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new IssuerConfigError('options.url', `must be an http:// or https:// URL, not ${url.protocol}`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new IssuerConfigError('options.url', 'must be a plain base URL without credentials, query or fragment');
  }
  if (secrets.authKey !== undefined && !isHexKey(secrets.authKey)) {
    throw new IssuerConfigError(
      'secrets.authKey',
      'must be the hex "key" of the auth_keys entry in the CFSSL configuration: an even number of 0-9 a-f digits',
    );
  }
  if (options.caCertificates) {
    try {
      parseCertificates(options.caCertificates, 'options.caCertificates');
    } catch (e) {
      const reason = (e as Error).message.replace(/^options\.caCertificates: /, '');
      throw new IssuerConfigError('options.caCertificates', reason);
    }
  }
}

interface InfoResult {
  certificate?: unknown;
  usages?: unknown;
  expiry?: unknown;
}

function sameInfo(a: InfoResult, b: InfoResult): boolean {
  return (
    a.certificate === b.certificate &&
    a.expiry === b.expiry &&
    JSON.stringify(a.usages ?? null) === JSON.stringify(b.usages ?? null)
  );
}

/** POST /info, turning every failure into an IssuerConfigError on the field most likely at fault. */
async function askInfo(options: CfsslOptions, profile: string | undefined): Promise<InfoResult> {
  const reply = await reach(options, 'info', { label: options.label ?? '', profile: profile ?? '' });
  if (!reply.ok) {
    const text = errorText(reply);
    const field = /label/i.test(text) ? 'options.label' : /profile/i.test(text) ? 'options.profile' : 'options.url';
    throw new IssuerConfigError(field, `CFSSL at ${options.url} refused /info for ${quoted(profile)}: ${text}`);
  }
  if (typeof reply.result.certificate !== 'string' || !reply.result.certificate.includes('BEGIN CERTIFICATE')) {
    throw new IssuerConfigError('options.url', `${options.url} answered /info without a CA certificate`);
  }
  return reply.result;
}

async function probeAuth(options: CfsslOptions, profile: string | undefined, key?: string): Promise<AuthProbe> {
  const request = { label: options.label ?? '', profile: profile ?? '' };
  const body = key
    ? authenticate(request, key)
    : { token: '', request: Buffer.from(JSON.stringify(request)).toString('base64') };
  let reply: CfsslReply;
  try {
    reply = await callCfssl(options, 'authsign', body);
  } catch (e) {
    // cfssl serve leaves /authsign out (Go's plain-text 404) when none of its profiles has an auth_key.
    if (e instanceof NotCfssl && e.status === 404) return { kind: 'disabled' };
    throw asConfigError(options, e);
  }
  const text = reply.ok ? 'signed without a CSR' : errorText(reply);
  if (/no authentication provider|authori[sz]ation required|unauthenticated/i.test(text)) return { kind: 'open' };
  if (/invalid token/i.test(text)) return { kind: 'refused', text };
  if (/invalid profile/i.test(text)) return { kind: 'unknown-profile', text };
  return { kind: 'accepted', text };
}

function checkAuth(options: CfsslOptions, key: string | undefined, probe: AuthProbe): void {
  const profile = quoted(options.profile);
  if (!key) {
    if (probe.kind === 'refused') {
      throw new IssuerConfigError(
        'secrets.authKey',
        `${profile} of CFSSL at ${options.url} requires authentication (an auth_key): set secrets.authKey to its key`,
      );
    }
    return;
  }
  if (probe.kind === 'disabled' || probe.kind === 'open') {
    throw new IssuerConfigError(
      'secrets.authKey',
      `${profile} of CFSSL at ${options.url} does not use authentication` +
        (probe.kind === 'disabled' ? ' (its /authsign endpoint is off)' : '') +
        ': remove secrets.authKey, or choose a profile with an auth_key',
    );
  }
  if (probe.kind === 'refused') {
    throw new IssuerConfigError(
      'secrets.authKey',
      `CFSSL at ${options.url} refused the auth key for ${profile} ("${probe.text}"): use the key of the auth_keys ` +
        'entry that the profile names',
    );
  }
}

/** callCfssl with network and protocol faults reported on options.url. */
async function reach(options: CfsslOptions, endpoint: string, body: unknown): Promise<CfsslReply> {
  try {
    return await callCfssl(options, endpoint, body);
  } catch (e) {
    throw asConfigError(options, e);
  }
}

function asConfigError(options: CfsslOptions, e: unknown): unknown {
  let message: string;
  if (e instanceof CfsslUnreachable) {
    const hint =
      options.url.startsWith('https:') && /certificate|self.signed|SSL|TLS/i.test(e.message)
        ? ' (for a server certificate from a private CA, put that CA in options.caCertificates)'
        : '';
    message = `could not reach CFSSL: ${e.message}${hint}`;
  } else if (e instanceof NotCfssl) {
    message = `${e.message}: is ${options.url} the base URL of \`cfssl serve\` (without /api/v1)?`;
  } else {
    return e;
  }
  const error = new IssuerConfigError('options.url', message);
  error.cause = e;
  return error;
}
