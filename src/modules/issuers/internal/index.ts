// The `internal` issuer: one of Tarsier's own authorities behind the issuer plugin interface, so that issuing
// through it is issuing through any issuer. It signs with the same function as `authorityId` issuance
// (signWithAuthority, injected), so the authority's policy pipeline, CRL shard and CRL/OCSP URLs apply alike;
// the core then links the stored certificate to the authority, whose CRL and OCSP revoke it.
import { parseCsr } from '../../../crypto/csr.ts';
import { toPem } from '../../../crypto/pem.ts';
import { NotFoundError, PolicyError, ValidationError } from '../../../errors.ts';
import type { AuthorityService, IssuingAuthority } from '../../authorities/service.ts';
import type { signWithAuthority } from '../../certificates/issuance.ts';
import type { IssueInput } from '../../certificates/schemas.ts';
import { type IssueRequest, IssuerConfigError, type IssuerPlugin } from '../plugin.ts';
import {
  type InternalOptions,
  InternalOptionsSchema,
  type InternalRequestOptions,
  InternalRequestOptionsSchema,
  type InternalSecrets,
  InternalSecretsSchema,
} from './schemas.ts';

export interface InternalIssuerDeps {
  authorities: Pick<AuthorityService, 'signer'>;
  /** Plans, applies the authority's policy and signs (certificates/issuance.ts). */
  sign: typeof signWithAuthority;
}

/**
 * Why `ca` cannot stand behind an issuer, or undefined. An issuer knows nothing of the requester, so an authority
 * restricted to some roles, or holding unregistered names for approval, would be opened to every requester.
 */
function closedReason(ca: IssuingAuthority, now: Date): string | undefined {
  const { name, not_after } = ca.row;
  if (new Date(not_after) <= now) return `authority '${name}' expired on ${not_after}; it can no longer issue`;
  const policy = ca.chain[0]!.policy;
  if (policy.allowedRoles?.length) {
    return `authority '${name}' is restricted to the roles ${policy.allowedRoles.join(', ')}, which an issuer cannot check; issue from it with authorityId`;
  }
  if ((policy.unregisteredNames ?? 'allow') !== 'allow') {
    return `authority '${name}' ${policy.unregisteredNames === 'deny' ? 'refuses' : 'holds for approval'} names outside the registered domains, which an issuer cannot do; issue from it with authorityId`;
  }
  return undefined;
}

/** The issue request as the authority's own input: the names the core planned, plus the per-certificate options. */
function asIssueInput(req: IssueRequest): IssueInput {
  return {
    commonName: req.commonName,
    sans: { dns: req.dnsNames, ip: req.ipAddresses },
    includeCommonNameInSans: req.dnsNames.includes(req.commonName) || req.ipAddresses.includes(req.commonName),
    validityDays: req.validityDays,
    ...(req.requestOptions as InternalRequestOptions),
  };
}

/** A complaint about a per-certificate option names it where the requester wrote it: under issuerOptions. */
function underIssuerOptions(e: unknown, requestOptions: Record<string, unknown>): unknown {
  if (!(e instanceof ValidationError)) return e;
  const root = e.field.split(/[.[]/)[0]!;
  if (!(root in requestOptions)) return e;
  return new ValidationError(`issuerOptions.${e.field}`, e.message.slice(e.field.length + 2), { cause: e });
}

export function createInternalIssuer({
  authorities,
  sign,
}: InternalIssuerDeps): IssuerPlugin<InternalOptions, InternalSecrets> {
  return {
    type: 'internal',
    title: 'Tarsier authority',
    description:
      "Signs with one of Tarsier's own authorities, under its policy; its certificates name and are revoked through the authority's CRL and OCSP.",
    options: InternalOptionsSchema,
    secrets: InternalSecretsSchema,
    requestOptions: InternalRequestOptionsSchema,

    async validate(config, ctx) {
      const id = config.options.authorityId;
      const ca = await authorities.signer(id).catch((e: unknown) => {
        if (e instanceof NotFoundError) {
          throw new IssuerConfigError(
            'options.authorityId',
            `authority ${id} does not exist (GET /api/v1/authorities)`,
          );
        }
        throw e;
      });
      const closed = closedReason(ca, ctx.clock());
      if (closed) throw new IssuerConfigError('options.authorityId', closed);
      return config;
    },

    async chain(config) {
      return (await authorities.signer(config.options.authorityId)).chainPem;
    },

    async issue(req, config, ctx) {
      const ca = await authorities.signer(config.options.authorityId);
      const now = ctx.clock();
      const closed = closedReason(ca, now);
      if (closed) throw new PolicyError(closed);
      const csr = parseCsr(req.csrPem, 'csr');
      try {
        const { der } = await sign(ca, asIssueInput(req), now, csr);
        return { status: 'issued', certificatePem: toPem(der, 'CERTIFICATE'), chainPem: ca.chainPem };
      } catch (e) {
        throw underIssuerOptions(e, req.requestOptions);
      }
    },
  };
}
