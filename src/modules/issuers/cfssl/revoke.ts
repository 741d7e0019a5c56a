// Revocation through CFSSL's /revoke, which marks the row of its certificate database (it needs -db-config) that
// is keyed by the serial in decimal and the authority key id in lower-case hex; its CRL and OCSP responses follow
// from that row. CFSSL builds whose Go no longer fills the template's AuthorityKeyId (cloudflare/cfssl#801, e.g.
// Debian's 1.2.0 package) stored an empty key id instead, so a "not found" is retried with an empty one.
import { parseCertificates } from '../../../crypto/parse.ts';
import { UpstreamError } from '../../../errors.ts';
import type { IssuerConfig, IssuerContext, RevocationReasonName } from '../plugin.ts';
import { type CfsslReply, CfsslUnreachable, callCfssl, errorText, NotCfssl } from './client.ts';
import type { CfsslOptions, CfsslSecrets } from './schemas.ts';

/** CFSSL's reason names are RFC 5280's, lower-cased ("keycompromise", "removefromcrl"). */
export const cfsslReason = (reason: RevocationReasonName): string => reason.toLowerCase();

/** A certificate serial as CFSSL stores it: big.Int.String(), i.e. decimal. */
export const decimalSerial = (serialHex: string): string => BigInt(`0x${serialHex.replace(/:/g, '')}`).toString(10);

/** Throws UpstreamError when CFSSL refuses or cannot be reached; its own text is kept in details.upstream. */
export async function revokeWithCfssl(
  cert: { certificatePem: string; serialHex: string },
  reason: RevocationReasonName,
  config: IssuerConfig<CfsslOptions, CfsslSecrets>,
  ctx: IssuerContext,
): Promise<void> {
  const { options } = config;
  const [parsed] = parseCertificates(cert.certificatePem, 'certificatePem');
  const serial = decimalSerial(cert.serialHex);
  const aki = parsed?.authorityKeyIdentifier?.toLowerCase() ?? '';
  const body = { serial, authority_key_id: aki, reason: cfsslReason(reason) };
  let reply = await send(options, body);
  if (!reply.ok && aki && /not found/i.test(errorText(reply))) {
    ctx.log.info(
      { issuer: 'cfssl', url: options.url, serial },
      'CFSSL knows no row with the key id; retrying with an empty one',
    );
    reply = await send(options, { ...body, authority_key_id: '' });
  }
  if (!reply.ok) {
    const text = errorText(reply);
    throw new UpstreamError(`CFSSL at ${options.url} refused to revoke serial ${cert.serialHex}: ${text}`, {
      upstream: text,
    });
  }
  ctx.log.info({ issuer: 'cfssl', url: options.url, serial, reason }, 'revoked with CFSSL');
}

async function send(options: CfsslOptions, body: object): Promise<CfsslReply> {
  try {
    return await callCfssl(options, 'revoke', body);
  } catch (e) {
    if (e instanceof CfsslUnreachable || e instanceof NotCfssl) {
      throw new UpstreamError(`could not revoke with CFSSL: ${e.message}`, { upstream: e.message }, { cause: e });
    }
    throw e;
  }
}
