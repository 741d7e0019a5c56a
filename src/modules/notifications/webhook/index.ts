// A generic webhook: the message's JSON payload, signed with HMAC-SHA256 over `<timestamp>.<body>` so the
// receiver can check it came from Tarsier and is fresh (headers X-Tarsier-Timestamp, X-Tarsier-Signature).
import { createHmac } from 'node:crypto';
import { Type } from 'typebox';
import { postJson } from '../http-post.ts';
import type { NotificationPlugin } from '../plugin.ts';

/** The signature a receiver recomputes: hex HMAC-SHA256 of `${timestamp}.${body}` with the shared key. */
export function webhookSignature(key: string, timestamp: string, body: string): string {
  return createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex');
}

export const webhookChannel: NotificationPlugin<{ url: string }, { signingKey: string }> = {
  type: 'webhook',
  description: 'JSON POSTed to a URL, signed with HMAC-SHA256 (X-Tarsier-Signature: sha256=<hex>).',
  addressed: false,
  options: Type.Object(
    { url: Type.String({ pattern: '^https?://', description: 'where to POST' }) },
    { additionalProperties: false },
  ),
  secrets: Type.Object(
    { signingKey: Type.String({ minLength: 16, description: 'shared HMAC key, at least 16 characters' }) },
    { additionalProperties: false },
  ),
  async send(message, { options, secrets }, ctx) {
    const body = JSON.stringify({
      event: message.event,
      subject: message.subject,
      text: message.text,
      ...message.payload,
    });
    const timestamp = String(Math.floor(ctx.clock().getTime() / 1000));
    await postJson(options.url, body, {
      'x-tarsier-event': message.event,
      'x-tarsier-timestamp': timestamp,
      'x-tarsier-signature': `sha256=${webhookSignature(secrets.signingKey, timestamp, body)}`,
    });
  },
};
