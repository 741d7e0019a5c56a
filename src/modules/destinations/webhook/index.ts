// Webhook destination: POSTs the certificate as JSON to a URL, signed with HMAC-SHA256 so the receiver can tell it
// came from Tarsier and was not replayed: header X-Tarsier-Signature is `sha256=<hex>` of `<timestamp>.<body>`,
// with the timestamp in X-Tarsier-Timestamp. The key rides along, or (payload `key-link`) only a one-time link.
import { createHmac } from 'node:crypto';
import { type Static, Type } from 'typebox';
import { StringEnum } from '../../../http/schema-types.ts';
import { tail } from '../layout.ts';
import { DestinationConfigError, type DestinationContext, type DestinationPlugin } from '../plugin.ts';

const Options = Type.Object(
  {
    url: Type.String({ minLength: 8, maxLength: 2000, description: 'http:// or https:// URL the bundle is POSTed to' }),
    payload: Type.Optional(
      StringEnum(['bundle', 'key-link'] as const, {
        description:
          'bundle: certificate, chain and key in the body (default); key-link: the key stays behind a one-time link',
      }),
    ),
    caCertificates: Type.Optional(
      Type.String({ description: 'PEM roots to trust for an https URL besides the system ones' }),
    ),
  },
  { additionalProperties: false },
);
const Secrets = Type.Object(
  { hmacSecret: Type.String({ minLength: 16, description: 'shared with the receiver; signs every request' }) },
  { additionalProperties: false },
);
type Opts = Static<typeof Options>;

/** The X-Tarsier-Signature value for a body sent at `timestamp` (Unix seconds). Receivers compute the same. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

async function post(opts: Opts, secret: string, payload: object, ctx: DestinationContext) {
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor(ctx.clock().getTime() / 1000));
  const res = await ctx.outbound.fetch(opts.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-tarsier-timestamp': timestamp,
      'x-tarsier-signature': webhookSignature(secret, timestamp, body),
    },
    body,
    ca: opts.caCertificates,
  });
  return { status: res.status, text: tail(await res.text(), 2000) };
}

export const webhookDestination: DestinationPlugin<Opts, Static<typeof Secrets>> = {
  type: 'webhook',
  title: 'Webhook',
  description: 'POSTs the certificate (and the key, or a one-time link to it) as signed JSON to a URL',
  options: Options,
  secrets: Secrets,
  takesKey: (o) => (o.payload ?? 'bundle') === 'bundle',

  validate({ options }) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new DestinationConfigError('options.url', `'${options.url}' is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new DestinationConfigError('options.url', 'must start with http:// or https://');
  },

  async deploy(bundle, { options, secrets }, ctx) {
    const certificate = {
      id: bundle.certificateId,
      commonName: bundle.commonName,
      serial: bundle.serial,
      notAfter: bundle.notAfter,
      certificatePem: bundle.certificatePem,
      chainPem: bundle.chainPem,
    };
    const key =
      (options.payload ?? 'bundle') === 'bundle'
        ? { privateKeyPem: bundle.keyPem ?? null }
        : { keyRetrieval: bundle.keyLink ? await bundle.keyLink() : null };
    const r = await post(options, secrets.hmacSecret, { event: 'certificate.deployed', certificate, ...key }, ctx);
    return { location: options.url, ok: r.status >= 200 && r.status < 300, output: `HTTP ${r.status}\n${r.text}` };
  },

  async test({ options, secrets }, ctx) {
    const r = await post(options, secrets.hmacSecret, { event: 'test' }, ctx);
    if (r.status < 200 || r.status >= 300) throw new Error(`${options.url} answered HTTP ${r.status}: ${r.text}`);
    return `${options.url} accepted a signed test request (HTTP ${r.status})`;
  },
};
