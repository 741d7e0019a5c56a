// Signing one CSR with CFSSL: /info first for the CA certificate that becomes the chain (cheap, and a failure
// there costs no certificate), then /sign, or /authsign when an auth key is configured. A CFSSL refusal (policy,
// bad token, bad CSR) is final: IssuanceFailed with CFSSL's own text. No answer, a non-CFSSL answer or a 5xx is a
// fault the core retries. CFSSL picks the lifetime from its profile, so validityDays is not sent.
import { parseCertificates } from '../../../crypto/parse.ts';
import {
  IssuanceFailed,
  type IssuedCertificate,
  type IssueRequest,
  type IssuerConfig,
  type IssuerContext,
} from '../plugin.ts';
import { authenticate } from './auth.ts';
import { type CfsslReply, callCfssl, errorText } from './client.ts';
import type { CfsslOptions, CfsslRequestOptions, CfsslSecrets } from './schemas.ts';

/** The body of /sign (and, wrapped, of /authsign), in CFSSL's JSON names. */
export function signRequestFor(req: IssueRequest, options: CfsslOptions): Record<string, unknown> {
  const { profile } = req.requestOptions as CfsslRequestOptions;
  const hosts = [...req.dnsNames, ...req.ipAddresses];
  return {
    certificate_request: req.csrPem,
    // An empty list would make CFSSL strip every SAN, so leave it out and let CFSSL keep the CSR's.
    ...(hosts.length ? { hosts } : {}),
    profile: profile ?? options.profile ?? '',
    label: options.label ?? '',
  };
}

/** Issues the certificate or throws IssuanceFailed (refused) or another error (fault, retry later). */
export async function issueWithCfssl(
  req: IssueRequest,
  config: IssuerConfig<CfsslOptions, CfsslSecrets>,
  ctx: IssuerContext,
): Promise<IssuedCertificate> {
  const { options, secrets } = config;
  const signRequest = signRequestFor(req, options);
  const profile = String(signRequest.profile) || undefined;
  const chainPem = await cfsslChain(options, profile);
  const endpoint = secrets.authKey ? 'authsign' : 'sign';
  ctx.log.info(
    { issuer: 'cfssl', url: options.url, endpoint, profile, names: req.dnsNames.length + req.ipAddresses.length },
    'signing with CFSSL',
  );
  const body = secrets.authKey ? authenticate(signRequest, secrets.authKey) : signRequest;
  const signed = final(await callCfssl(options, endpoint, body), endpoint);
  const certificatePem = certificateIn(signed, endpoint, 'a certificate');
  return { status: 'issued', certificatePem, chainPem };
}

/** The CA certificate CFSSL signs with under `profile` (and the configured label), from /info. */
export async function cfsslChain(options: CfsslOptions, profile = options.profile): Promise<string> {
  const info = final(await callCfssl(options, 'info', { label: options.label ?? '', profile: profile ?? '' }), 'info');
  return certificateIn(info, 'info', 'a CA certificate');
}

/** A successful reply, or: IssuanceFailed for CFSSL's refusal (4xx), a plain Error for its trouble (5xx). */
function final(reply: CfsslReply, endpoint: string): Record<string, unknown> {
  if (reply.ok) return reply.result;
  const text = errorText(reply);
  if (reply.status >= 500) throw new Error(`CFSSL failed on /${endpoint} (HTTP ${reply.status}): ${text}`);
  throw new IssuanceFailed(`CFSSL refused /${endpoint}: ${text}`, text);
}

/** The PEM certificate of a reply, checked to be one; CFSSL answering without one is a refusal, not a fault. */
function certificateIn(result: Record<string, unknown>, endpoint: string, what: string): string {
  const pem = result.certificate;
  if (typeof pem !== 'string') throw new IssuanceFailed(`CFSSL answered /${endpoint} without ${what}`);
  try {
    const [certificate] = parseCertificates(pem, `cfssl.${endpoint}.certificate`);
    if (!certificate) throw new Error('no certificate');
    return certificate.pem;
  } catch (e) {
    throw new IssuanceFailed(`CFSSL answered /${endpoint} with ${what} that cannot be read: ${(e as Error).message}`);
  }
}
