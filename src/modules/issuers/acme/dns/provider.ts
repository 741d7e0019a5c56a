// The DNS-01 provider interface and the factory that builds one from the issuer's settings. A provider only
// writes and removes TXT values; the ACME logic (which name, which digest, when to ask the CA) stays in the
// plugin. Several values may live at one name at once (a wildcard and its base name), so removal names the value.
import { IssuerConfigError } from '../../plugin.ts';
import type { AcmeSecrets, DnsProviderOptions } from '../schemas.ts';
import { createCloudflareProvider } from './cloudflare.ts';
import { createRfc2136Provider } from './rfc2136.ts';
import { createRoute53Provider } from './route53.ts';

export interface DnsProvider {
  readonly type: string;
  /** Seconds to let the record spread to every authoritative server before the CA looks. */
  readonly propagationSeconds: number;
  /** Adds `value` to the TXT record set at `name` (a fully qualified name, no trailing dot). */
  setTxt(name: string, value: string): Promise<void>;
  /** Removes `value` from the TXT record set at `name`; a value already gone is not an error. */
  removeTxt(name: string, value: string): Promise<void>;
  /** Proves the settings work (server reachable, credentials accepted); throws IssuerConfigError naming the field. */
  validate(): Promise<void>;
}

/** Throws IssuerConfigError when a provider's secret is missing. */
export function requireSecret(secrets: AcmeSecrets, key: keyof AcmeSecrets, provider: string): string {
  const value = secrets[key];
  if (!value) throw new IssuerConfigError(`secrets.${key}`, `the ${provider} DNS provider needs secrets.${key}`);
  return value;
}

/** Builds the provider named by `settings.type`. Example: `createDnsProvider({ type: 'cloudflare', zoneId }, secrets)`. */
export function createDnsProvider(settings: DnsProviderOptions, secrets: AcmeSecrets): DnsProvider {
  switch (settings.type) {
    case 'rfc2136':
      return createRfc2136Provider(settings, { tsigSecret: requireSecret(secrets, 'tsigSecret', 'rfc2136') });
    case 'cloudflare':
      return createCloudflareProvider(settings, {
        apiToken: requireSecret(secrets, 'cloudflareApiToken', 'cloudflare'),
      });
    case 'route53':
      return createRoute53Provider(settings, {
        accessKeyId: requireSecret(secrets, 'awsAccessKeyId', 'route53'),
        secretAccessKey: requireSecret(secrets, 'awsSecretAccessKey', 'route53'),
        sessionToken: secrets.awsSessionToken,
      });
  }
}
