// The ACME issuer plugin (RFC 8555: Let's Encrypt, ZeroSSL, Google, private ACME CAs, Pebble in tests), built on
// acme-client. This file only assembles the IssuerPlugin: every operation runs inside `withTransport` (the issuer's
// own TLS trust) and through `refusalToFailure`, which turns a CA's definitive "no" into IssuanceFailed while
// network faults and 5xx stay ordinary errors for the core to retry.
import type acme from 'acme-client';
import { IssuanceFailed, type IssuerPlugin, type RevocationReasonName } from '../plugin.ts';
import { createClient, validateConfig } from './account.ts';
import { cancelOrder, continueOrder, startOrder } from './order.ts';
import {
  type AcmeOptions,
  AcmeOptionsSchema,
  AcmeRequestOptionsSchema,
  type AcmeSecrets,
  AcmeSecretsSchema,
} from './schemas.ts';
import { AcmeProblemError, explain, withTransport } from './transport.ts';

export type { AcmeOptions, AcmeSecrets } from './schemas.ts';

/** RFC 5280 CRLReason codes, as ACME's revokeCert takes them. */
const REASON_CODES: Record<RevocationReasonName, number> = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
};

async function refusalToFailure<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (thrown) {
    const e = explain(thrown);
    if (e instanceof AcmeProblemError && e.isPermanent) {
      throw new IssuanceFailed(`the CA refused to ${what}`, [e.type, e.detail].filter(Boolean).join(': '));
    }
    throw e;
  }
}

export const acmeIssuer: IssuerPlugin<AcmeOptions, AcmeSecrets> = {
  type: 'acme',
  title: 'ACME',
  description:
    "Certificates from an ACME (RFC 8555) CA such as Let's Encrypt, proving control of each name with HTTP-01 " +
    '(answered by Tarsier) or DNS-01 (TXT records through RFC 2136, Cloudflare or Route 53)',
  options: AcmeOptionsSchema,
  secrets: AcmeSecretsSchema,
  requestOptions: AcmeRequestOptionsSchema,

  validate(config, ctx) {
    return withTransport(config.options.caCertificates, () => validateConfig(config, ctx));
  },

  issue(req, config, ctx) {
    return withTransport(config.options.caCertificates, () =>
      refusalToFailure(`order a certificate for ${req.dnsNames.join(', ')}`, () => startOrder(req, config, ctx)),
    );
  },

  poll(state, req, config, ctx) {
    return withTransport(config.options.caCertificates, () =>
      refusalToFailure('issue the certificate', () => continueOrder(state, req, config, ctx)),
    );
  },

  cancel(state, config, ctx) {
    return withTransport(config.options.caCertificates, () => cancelOrder(state, config, ctx));
  },

  revoke(cert, reason, config, ctx) {
    return withTransport(config.options.caCertificates, async () => {
      const client = createClient(config);
      try {
        const data = { reason: REASON_CODES[reason] } as Parameters<acme.Client['revokeCertificate']>[1];
        await client.revokeCertificate(cert.certificatePem, data);
      } catch (thrown) {
        const e = explain(thrown);
        if (e instanceof AcmeProblemError && e.type?.endsWith(':alreadyRevoked')) {
          ctx.log.info({ serial: cert.serialHex }, 'ACME certificate was already revoked');
          return;
        }
        throw e;
      }
      ctx.log.info({ serial: cert.serialHex, reason }, 'ACME certificate revoked');
    });
  },
};
