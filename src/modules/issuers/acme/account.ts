// The ACME account side of the issuer: checking the directory, registering (or finding) the account with
// External Account Binding, and building the acme-client Client every other operation uses. Each CA answer that
// means "your settings are wrong" becomes an IssuerConfigError naming the field, with the CA's own words.
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import acme from 'acme-client';
import { type ChallengeResponder, type IssuerConfig, IssuerConfigError, type IssuerContext } from '../plugin.ts';
import { createDnsProvider } from './dns/provider.ts';
import type { AcmeOptions, AcmeSecrets } from './schemas.ts';
import { AcmeNetworkError, AcmeProblemError, explain, getJson } from './transport.ts';

export type AcmeConfig = IssuerConfig<AcmeOptions, AcmeSecrets>;

export interface AcmeDirectory {
  newNonce: string;
  newAccount: string;
  newOrder: string;
  revokeCert?: string;
  meta?: { termsOfService?: string; externalAccountRequired?: boolean; profiles?: Record<string, string> };
}

/** Reads the directory; throws IssuerConfigError('options.directoryUrl') saying what was tried and what failed. */
export async function fetchDirectory(options: AcmeOptions): Promise<AcmeDirectory> {
  const url = options.directoryUrl;
  const field = 'options.directoryUrl';
  let res: Awaited<ReturnType<typeof getJson>>;
  try {
    res = await getJson(url, options.caCertificates);
  } catch (e) {
    throw new IssuerConfigError(field, e instanceof AcmeNetworkError ? e.message : `GET ${url}: ${String(e)}`);
  }
  if (res.status !== 200) {
    const body = res.body.replace(/\s+/g, ' ').trim().slice(0, 200);
    throw new IssuerConfigError(
      field,
      `GET ${url} answered HTTP ${res.status}${body ? ` (${body})` : ''}: this is not an ACME directory URL ` +
        "(Let's Encrypt's is https://acme-v02.api.letsencrypt.org/directory)",
    );
  }
  const dir = res.json as Partial<AcmeDirectory> | undefined;
  const missing = (['newNonce', 'newAccount', 'newOrder'] as const).filter((k) => typeof dir?.[k] !== 'string');
  if (!dir || missing.length > 0) {
    throw new IssuerConfigError(
      field,
      `GET ${url} answered, but not with an ACME directory (no ${missing.join(', ')})`,
    );
  }
  return dir as AcmeDirectory;
}

export function createAccountKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The acme-client Client for this issuer (with the account URL when known, so no account lookup is needed). */
export function createClient(config: AcmeConfig, accountKeyPem?: string): acme.Client {
  const key = accountKeyPem ?? config.secrets.accountKeyPem;
  if (!key) throw new IssuerConfigError('secrets.accountKeyPem', 'no ACME account key: validate the issuer first');
  const { eabKeyId } = config.options;
  const { eabHmacKey } = config.secrets;
  return new acme.Client({
    directoryUrl: config.options.directoryUrl,
    accountKey: key,
    accountUrl: config.options.accountUrl || undefined,
    externalAccountBinding: eabKeyId && eabHmacKey ? { kid: eabKeyId, hmacKey: eabHmacKey } : undefined,
  });
}

/** Maps a refused newAccount to the field to fix, keeping the CA's text. */
function accountRefusal(e: AcmeProblemError, options: AcmeOptions): IssuerConfigError {
  const text = `the ACME server refused the account: ${e.detail}`;
  if (e.type?.endsWith(':externalAccountRequired') && !options.eabKeyId) {
    return new IssuerConfigError('options.eabKeyId', `${text} (this CA requires external account binding)`);
  }
  if (options.eabKeyId && /\bkid\b|key id|unknown key|not known/i.test(e.detail)) {
    return new IssuerConfigError('options.eabKeyId', text);
  }
  if (options.eabKeyId && /external|binding|eab|hmac|signature|jws/i.test(`${e.type} ${e.detail}`)) {
    return new IssuerConfigError('secrets.eabHmacKey', text);
  }
  if (e.type?.endsWith(':invalidContact') || e.type?.endsWith(':unsupportedContact')) {
    return new IssuerConfigError('options.email', text);
  }
  return new IssuerConfigError('options.directoryUrl', text);
}

/**
 * Finds the account of this key, or registers one, and returns its URL. Looking first (onlyReturnExisting) keeps a
 * second validation from sending an update that says nothing, which some CAs (Pebble) refuse.
 */
export async function registerAccount(config: AcmeConfig, accountKeyPem: string): Promise<string> {
  const client = createClient({ ...config, options: { ...config.options, accountUrl: undefined } }, accountKeyPem);
  const { email } = config.options;
  const contact = email ? { contact: [`mailto:${email}`] } : {};
  try {
    try {
      await client.createAccount({ onlyReturnExisting: true });
      if (email) await client.updateAccount(contact);
    } catch (thrown) {
      const e = explain(thrown);
      if (!(e instanceof AcmeProblemError && e.type?.endsWith(':accountDoesNotExist'))) throw e;
      await client.createAccount({ termsOfServiceAgreed: true, ...contact });
    }
  } catch (thrown) {
    const e = explain(thrown);
    if (e instanceof AcmeProblemError && e.isPermanent) throw accountRefusal(e, config.options);
    throw e;
  }
  return client.getAccountUrl();
}

/** The checks of IssuerPlugin.validate, in the order a person would fix them. */
export async function validateConfig(config: AcmeConfig, ctx: IssuerContext): Promise<AcmeConfig> {
  const { options, secrets } = config;
  const dir = await fetchDirectory(options);
  if (options.termsOfServiceAgreed !== true) {
    const tos = dir.meta?.termsOfService;
    throw new IssuerConfigError(
      'options.termsOfServiceAgreed',
      `you must agree to the CA's terms of service${tos ? ` (${tos})` : ''} to register an account`,
    );
  }
  if (dir.meta?.externalAccountRequired && !options.eabKeyId) {
    throw new IssuerConfigError(
      'options.eabKeyId',
      `the CA at ${options.directoryUrl} requires external account binding: set eabKeyId and secrets.eabHmacKey`,
    );
  }
  if (options.eabKeyId && !secrets.eabHmacKey) {
    throw new IssuerConfigError('secrets.eabHmacKey', 'eabKeyId is set, so the EAB HMAC key is needed too');
  }
  if ((options.challenge ?? 'http-01') === 'dns-01') {
    if (!options.dnsProvider) throw new IssuerConfigError('options.dnsProvider', 'dns-01 needs a DNS provider');
    await createDnsProvider(options.dnsProvider, secrets).validate();
  }
  if (options.http01DestinationId !== undefined) await http01Responder(config, ctx);
  let accountKeyPem = secrets.accountKeyPem;
  if (accountKeyPem) {
    try {
      createPrivateKey(accountKeyPem);
    } catch (e) {
      throw new IssuerConfigError('secrets.accountKeyPem', `not a usable private key: ${(e as Error).message}`);
    }
  } else {
    accountKeyPem = createAccountKeyPem();
  }
  const accountUrl = await registerAccount(config, accountKeyPem);
  ctx.log.info({ directoryUrl: options.directoryUrl, accountUrl }, 'ACME account ready');
  return { options: { ...options, accountUrl }, secrets: { ...secrets, accountKeyPem } };
}

/** Where HTTP-01 answers go: Tarsier itself, or a destination's web root. Throws IssuerConfigError. */
export async function http01Responder(config: AcmeConfig, ctx: IssuerContext): Promise<ChallengeResponder> {
  const id = config.options.http01DestinationId;
  if (id === undefined) return ctx.challenges;
  if (!ctx.destinationChallenges)
    throw new IssuerConfigError('options.http01DestinationId', 'destinations are not available in this process');
  return ctx.destinationChallenges(id, 'options.http01DestinationId');
}
