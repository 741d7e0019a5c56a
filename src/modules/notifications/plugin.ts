// The notification plugin interface: what every channel (e-mail, Slack-compatible webhook, signed generic webhook)
// implements. The core renders a message once (subject, plain text, HTML, and a JSON payload for machines); a
// channel only delivers it, so every channel says the same thing. Credentials arrive in `secrets`, opened from
// their sealed store just for the call.
import type { TSchema } from 'typebox';
import type { PluginLogger } from '../issuers/plugin.ts';

export interface OutgoingMessage {
  /** e-mail address for channels that address people; '' for single-destination channels (webhooks) */
  recipient: string;
  /** event name, e.g. `expiry`, `rotated`, `rotation-failed`, `revoked`, `authority-expiry`, `summary`, `test` */
  event: string;
  subject: string;
  text: string;
  html: string;
  /** the machine-readable form: what webhooks post */
  payload: Record<string, unknown>;
}

export interface ChannelConfig<Options = Record<string, unknown>, Secrets = Record<string, unknown>> {
  options: Options;
  secrets: Secrets;
}

export interface NotificationContext {
  log: PluginLogger;
  clock: () => Date;
}

/** Thrown for a setting that cannot work; `field` names it, e.g. `options.port`. */
export class ChannelConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ChannelConfigError';
  }
}

export interface NotificationPlugin<Options = Record<string, unknown>, Secrets = Record<string, unknown>> {
  /** Stable identifier stored with each channel: `email`, `slack`, `webhook` */
  readonly type: string;
  readonly description: string;
  /** Non-secret settings (shown by the API) */
  readonly options: TSchema;
  /** Credentials: stored sealed, never returned */
  readonly secrets: TSchema;
  /** Whether messages need a recipient address (e-mail) or go to one fixed place (webhooks). */
  readonly addressed: boolean;
  /**
   * Delivers one message. Throws on failure with the remote side's own words (an SMTP reply, an HTTP status);
   * the core records the failure and tries again later.
   */
  send(message: OutgoingMessage, config: ChannelConfig<Options, Secrets>, ctx: NotificationContext): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: each plugin has its own settings types; the registry only routes.
export type AnyNotificationPlugin = NotificationPlugin<any, any>;
