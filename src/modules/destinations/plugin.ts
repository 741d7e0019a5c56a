// The destination plugin interface: what every deployment target (a directory on this host, a host over SFTP, a
// webhook) implements. The core hands a plugin a ready bundle (certificate, chain, and the key it read and audited)
// and records whatever the plugin reports; a plugin imports neither the database nor other modules, and reaches
// the network only through `ctx.outbound`, the guard every user-directed connection passes.
import type { TSchema } from 'typebox';
import type { OutboundGuard } from '../../net/outbound.ts';
import type { PluginLogger } from '../issuers/plugin.ts';

export interface DestinationConfig<Options = Record<string, unknown>, Secrets = Record<string, unknown>> {
  options: Options;
  secrets: Secrets;
}

export interface DestinationContext {
  log: PluginLogger;
  clock: () => Date;
  outbound: OutboundGuard;
}

/** What is deployed: PEM texts and the values file-name templates may use. */
export interface DeployBundle {
  certificateId: number;
  commonName: string;
  serial: string;
  notAfter: string;
  certificatePem: string;
  /** Issuer first; may be empty. */
  chainPem: string;
  /** PKCS#8 PEM; absent when Tarsier holds no key (issued from a CSR) or the plugin does not take keys. */
  keyPem?: string;
  /** DER of the key, for PKCS#12 layouts. */
  keyDer?: Uint8Array;
  /**
   * Makes a one-time token with which the key can be fetched (webhooks that must not carry the key): POST
   * `{"token"}` to `url`. The token travels in a body, never in a URL, so no access log keeps it.
   */
  keyLink?: () => Promise<{ url: string; token: string }>;
}

export interface DeployResult {
  /** Where it went, e.g. `/etc/nginx/tls/www.crt` or `sftp://web1:22/etc/ssl/www.crt`. */
  location: string;
  /** The post-deploy command's exit status (null: killed or none ran) and output, or the receiver's reply. */
  exitCode?: number | null;
  output?: string;
  /** False when the files went out but the command or receiver failed: the deployment is recorded as failed. */
  ok: boolean;
}

/** A refusal the user must fix in the destination's settings; `field` names it (e.g. `options.path`). */
export class DestinationConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'DestinationConfigError';
  }
}

export interface DestinationPlugin<Options = Record<string, unknown>, Secrets = Record<string, unknown>> {
  /** Stable identifier stored with each destination: `directory`, `sftp`, `webhook`. */
  readonly type: string;
  readonly title: string;
  readonly description: string;
  readonly options: TSchema;
  /** Credentials (SSH password or key, HMAC secret, PKCS#12 password): stored encrypted, never returned. */
  readonly secrets: TSchema;
  /** Whether deploy() needs the private key (read and audited by the core only then). */
  readonly takesKey: (options: Options) => boolean;

  /** Static checks at creation and change (templates, paths); throws DestinationConfigError. No network. */
  validate(config: DestinationConfig<Options, Secrets>): void;

  /** Delivers the bundle. Throws Error (with a message for the user) when nothing could be delivered. */
  deploy(
    bundle: DeployBundle,
    config: DestinationConfig<Options, Secrets>,
    ctx: DestinationContext,
  ): Promise<DeployResult>;

  /** Proves the destination is usable now (reach the host, log in, write access); returns what was checked. */
  test(config: DestinationConfig<Options, Secrets>, ctx: DestinationContext): Promise<string>;

  /** Reads back the certificate PEM deployed under this name, if any: what is there now. */
  current?(
    bundle: Pick<DeployBundle, 'certificateId' | 'commonName' | 'serial' | 'notAfter'>,
    config: DestinationConfig<Options, Secrets>,
    ctx: DestinationContext,
  ): Promise<string | undefined>;

  /** Writes a file under the destination's web root (HTTP-01 tokens); `relPath` is `.well-known/…`. */
  putWebFile?(
    relPath: string,
    content: string,
    config: DestinationConfig<Options, Secrets>,
    ctx: DestinationContext,
  ): Promise<void>;
  removeWebFile?(relPath: string, config: DestinationConfig<Options, Secrets>, ctx: DestinationContext): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: each plugin has its own option types; the registry only routes.
export type AnyDestinationPlugin = DestinationPlugin<any, any>;
