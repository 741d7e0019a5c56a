// The issuer plugin interface: what every certificate issuer (Tarsier's own authorities, ACME CAs, CFSSL, …)
// implements. A plugin is told what to issue as a PKCS#10 CSR (Tarsier makes the key and CSR when the requester
// did not send one), so no plugin ever sees a private key. Long work (ACME validation, an approval queue) returns
// `pending` with a JSON state that the core stores and hands back to `poll` later, possibly in another process.
import type { TSchema } from 'typebox';

/** A plugin's stored configuration: `options` are shown by the API; `secrets` are stored encrypted, never shown. */
export interface IssuerConfig<Options = Record<string, unknown>, Secrets = Record<string, unknown>> {
  options: Options;
  secrets: Secrets;
}

/** Logging with pino's call shape, so a plugin need not import pino. */
export interface PluginLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** HTTP-01 tokens: Tarsier answers GET /.well-known/acme-challenge/<token> with the key authorization. */
export interface ChallengeResponder {
  publish(token: string, keyAuthorization: string): Promise<void>;
  withdraw(token: string): Promise<void>;
}

/** What the core gives a plugin; a plugin imports neither the database nor other modules. */
export interface IssuerContext {
  log: PluginLogger;
  clock: () => Date;
  challenges: ChallengeResponder;
  /**
   * HTTP-01 tokens placed as files under a destination's web root (names served elsewhere). Throws
   * IssuerConfigError(`field`) when the destination does not exist or cannot place files.
   */
  destinationChallenges?: (destinationId: number, field: string) => Promise<ChallengeResponder>;
}

export interface IssueRequest {
  /** PEM of a PKCS#10 request whose subject CN and SAN extension carry the names below. */
  csrPem: string;
  commonName: string;
  /** DNS names and IP addresses to certify (the common name is among them when it is a DNS name). */
  dnsNames: string[];
  ipAddresses: string[];
  /** e.g. `ec-p256`, `rsa-2048` */
  keyType: string;
  /** Requested lifetime; a plugin whose CA picks the lifetime itself may ignore it. */
  validityDays?: number;
  /** Per-certificate options, already validated against the plugin's `requestOptions` schema. */
  requestOptions: Record<string, unknown>;
}

export interface IssuedCertificate {
  status: 'issued';
  /** The leaf certificate, PEM. */
  certificatePem: string;
  /** The issuer's chain, issuer first, PEM (may be empty when the CA sends none). */
  chainPem: string;
}

export interface PendingIssue {
  status: 'pending';
  /** JSON-serialisable state that `poll` needs to carry on (an order URL, a queue ticket). Not secret. */
  state: Record<string, unknown>;
  /** When to poll again; the core applies its own backoff when absent. */
  retryAfterSeconds?: number;
  /** Shown to users while they wait, e.g. "waiting for the CA to validate example.com". */
  message?: string;
}

export type IssueOutcome = IssuedCertificate | PendingIssue;

/**
 * A failure that retrying will not fix (the CA refused the order, validation failed). The core marks the
 * pending certificate failed with this message and `upstream` (the CA's own error text, kept verbatim).
 * Any other thrown error counts as transient and is retried with backoff.
 */
export class IssuanceFailed extends Error {
  constructor(
    message: string,
    readonly upstream?: string,
  ) {
    super(message);
    this.name = 'IssuanceFailed';
  }
}

/**
 * A configuration that cannot work (unreachable directory, bad credentials). `field` names the option, e.g.
 * `options.directoryUrl` or `secrets.eabHmacKey`; the core turns it into a 400 that names the field.
 */
export class IssuerConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'IssuerConfigError';
  }
}

export type RevocationReasonName =
  | 'unspecified'
  | 'keyCompromise'
  | 'cACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'certificateHold'
  | 'removeFromCRL'
  | 'privilegeWithdrawn'
  | 'aACompromise';

export interface IssuerPlugin<Options = Record<string, unknown>, Secrets = Record<string, unknown>> {
  /** Stable identifier stored with each issuer, e.g. `acme`, `cfssl`. */
  readonly type: string;
  readonly title: string;
  readonly description: string;
  /** Non-secret settings (TypeBox schema with descriptions): the API validates them, the UI and CLI render them. */
  readonly options: TSchema;
  /** Secret settings (API keys, EAB HMAC keys, account keys): stored encrypted, never returned. */
  readonly secrets: TSchema;
  /** Per-certificate options an advanced user may set when requesting from this issuer. */
  readonly requestOptions: TSchema;

  /**
   * Called when an issuer is created or changed: prove the configuration works (reach the CA, register the
   * account). May return settings it created (an ACME account URL and key) to store instead of the input.
   * Throws IssuerConfigError naming the field to fix.
   */
  validate(config: IssuerConfig<Options, Secrets>, ctx: IssuerContext): Promise<IssuerConfig<Options, Secrets>>;

  /** Starts issuing one certificate. Throws IssuanceFailed for a refusal, anything else for a transient fault. */
  issue(req: IssueRequest, config: IssuerConfig<Options, Secrets>, ctx: IssuerContext): Promise<IssueOutcome>;

  /** Carries on with pending work from the state `issue` (or a previous `poll`) returned. */
  poll?(
    state: Record<string, unknown>,
    req: IssueRequest,
    config: IssuerConfig<Options, Secrets>,
    ctx: IssuerContext,
  ): Promise<IssueOutcome>;

  /** Gives up pending work (deactivates an order, withdraws challenges). Best effort. */
  cancel?(state: Record<string, unknown>, config: IssuerConfig<Options, Secrets>, ctx: IssuerContext): Promise<void>;

  /**
   * The CA certificates this issuer signs under, issuer first, PEM: what a server needs beside its leaf and what a
   * client must trust. A plugin whose CA publishes no chain apart from its certificates (ACME) has none.
   */
  chain?(config: IssuerConfig<Options, Secrets>, ctx: IssuerContext): Promise<string>;

  /** Revokes a certificate this issuer issued. */
  revoke?(
    cert: { certificatePem: string; serialHex: string },
    reason: RevocationReasonName,
    config: IssuerConfig<Options, Secrets>,
    ctx: IssuerContext,
  ): Promise<void>;
}
