// Requests for certificates: the front door of issuance. A request whose names fall under a sensitive domain
// (or outside every registered domain, when the authority says so) is held for a security reviewer; the rest
// are issued at once. Approval issues with the original options on the requester's behalf.
import { parseCsr } from '../../crypto/csr.ts';
import { normalizeDnsName } from '../../crypto/names.ts';
import type { Db } from '../../db/index.ts';
import type { CertificateRow } from '../../db/schema.ts';
import { ConflictError, NotFoundError, PolicyError, TarsierError, ValidationError } from '../../errors.ts';
import { type AuditService, byCaller } from '../audit/service.ts';
import type { AuthorityService } from '../authorities/service.ts';
import type { IssueInput } from '../certificates/schemas.ts';
import type { CertificateService } from '../certificates/service.ts';
import type { DomainService } from '../domains/service.ts';
import { isAdmin } from '../identity/permissions.ts';
import type { IdentityService } from '../identity/service.ts';
import type { RequestContext } from '../request-context.ts';
import * as store from './store.ts';

type RequestRow = NonNullable<Awaited<ReturnType<typeof store.findRequest>>>;

export const requestView = (r: RequestRow) => ({
  id: r.id,
  status: r.status,
  authorityId: r.authority_id,
  requestedBy: r.requested_by,
  reason: r.reason,
  names: JSON.parse(r.names) as string[],
  heldFor: JSON.parse(r.held_for) as Array<{ name: string; why: string }>,
  createdAt: r.created_at,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  comment: r.decision_comment,
  certificateId: r.certificate_id,
  error: r.error,
});

/** The DNS names a request asks for (CN, SANs, or the CSR's), normalised; malformed ones are left to issuance. */
function requestedNames(input: IssueInput): string[] {
  const csr = input.csr ? parseCsr(input.csr, 'csr') : undefined;
  const raw = [input.commonName ?? csr?.subject.commonName, ...(input.sans?.dns ?? csr?.sans.dns ?? [])];
  const names = new Set<string>();
  for (const n of raw) {
    if (!n) continue;
    try {
      names.add(normalizeDnsName(n, 'name'));
    } catch {
      // not a DNS name: issuance validates it and says what is wrong
    }
  }
  return [...names];
}

export interface RequestDeps {
  db: Db;
  audit: Pick<AuditService, 'record'>;
  domains: Pick<DomainService, 'classify'>;
  certificates: Pick<CertificateService, 'issue' | 'issueAny'>;
  authorities: Pick<AuthorityService, 'signer'>;
  identity: Pick<IdentityService, 'principalFor'>;
  clock: () => Date;
}

export function createRequestService({ db, audit, domains, certificates, authorities, identity, clock }: RequestDeps) {
  async function get(id: number): Promise<RequestRow> {
    const r = await store.findRequest(db, id);
    if (!r) throw new NotFoundError('request', id);
    return r;
  }
  const record = (ctx: RequestContext, action: string, id: number, details: Record<string, unknown> = {}) =>
    audit.record(db, byCaller(ctx, action, { type: 'request', id }, details));

  /**
   * External issuers: names under sensitive domains are refused rather than held, since the approval queue
   * replays requests on Tarsier authorities only (a documented limit).
   */
  async function submitToIssuer(input: IssueInput, ctx: RequestContext) {
    const { held } = await domains.classify(requestedNames(input), 'allow');
    if (held.length) {
      throw new PolicyError(
        `${held.map((h) => h.name).join(', ')} need approval (${held[0]!.why}); approval is available for Tarsier ` +
          'authorities only: ask a security reviewer to issue it',
        { field: 'sans' },
      );
    }
    return certificates.issueAny(input, ctx);
  }

  return {
    get: async (id: number) => requestView(await get(id)),

    /**
     * Issues a certificate, or holds the request for approval when a name needs it. Throws PolicyError when the
     * authority refuses names outside the registered domains.
     */
    async submit(
      input: IssueInput,
      ctx: RequestContext,
    ): Promise<{ certificate: CertificateRow } | { pendingId: number } | { request: ReturnType<typeof requestView> }> {
      if (input.issuerId !== undefined && input.authorityId !== undefined) {
        throw new ValidationError('issuerId', 'give either authorityId or issuerId, not both');
      }
      if (input.authorityId === undefined) return submitToIssuer(input, ctx);
      const ca = await authorities.signer(input.authorityId);
      const names = requestedNames(input);
      const { held, refused } = await domains.classify(names, ca.chain[0]!.policy.unregisteredNames ?? 'allow');
      if (refused.length) {
        throw new PolicyError(
          `authority '${ca.row.name}' issues only for registered domains; not registered: ${refused.join(', ')}`,
          { field: 'sans' },
        );
      }
      if (held.length === 0) return { certificate: await certificates.issue(input, ctx) };
      const id = await store.insertRequest(db, {
        status: 'pending',
        authority_id: ca.row.id,
        requester_id: ctx.principal.userId,
        requested_by: ctx.principal.actor,
        reason: input.reason ?? null,
        names: JSON.stringify(names),
        held_for: JSON.stringify(held),
        params: JSON.stringify(input),
        created_at: clock().toISOString(),
      });
      await record(ctx, 'request.create', id, { names, heldFor: held });
      return { request: requestView(await get(id)) };
    },

    async list(filter: { status?: string; mine?: boolean; limit?: number }, ctx: RequestContext) {
      const canSeeAll = ctx.principal.permissions.has('request:approve') || isAdmin(ctx.principal);
      const requesterId = filter.mine || !canSeeAll ? ctx.principal.userId : undefined;
      return (
        await store.listRequests(db, { status: filter.status, requesterId, limit: Math.min(filter.limit ?? 100, 500) })
      ).map(requestView);
    },

    /** Approves and issues with the original options on the requester's behalf. The requester cannot approve. */
    async approve(id: number, comment: string | undefined, ctx: RequestContext) {
      const r = await get(id);
      if (r.status !== 'pending') throw new ConflictError(`request ${id} is ${r.status} already`);
      if (r.requester_id === ctx.principal.userId)
        throw new PolicyError('you cannot approve your own request; ask another reviewer');
      if (
        !(await store.decide(db, id, {
          status: 'approved',
          decided_by: ctx.principal.actor,
          decided_at: clock().toISOString(),
          decision_comment: comment ?? null,
        }))
      ) {
        throw new ConflictError(`request ${id} was decided by someone else a moment ago`);
      }
      await record(ctx, 'request.approve', id, { comment: comment ?? null });
      try {
        const requester = await identity.principalFor(r.requester_id);
        const cert = await certificates.issue(JSON.parse(r.params) as IssueInput, {
          principal: requester,
          clientAddress: ctx.clientAddress,
        });
        await store.updateRequest(db, id, { certificate_id: cert.id });
      } catch (e) {
        const message = e instanceof TarsierError ? e.message : 'issuance failed unexpectedly';
        await store.updateRequest(db, id, { status: 'failed', error: message });
        await audit.record(db, byCaller(ctx, 'request.issue', { type: 'request', id }, { error: message }, 'failure'));
        if (!(e instanceof TarsierError)) throw e;
      }
      return requestView(await get(id));
    },

    async reject(id: number, comment: string | undefined, ctx: RequestContext) {
      const r = await get(id);
      if (r.status !== 'pending') throw new ConflictError(`request ${id} is ${r.status} already`);
      if (
        !(await store.decide(db, id, {
          status: 'rejected',
          decided_by: ctx.principal.actor,
          decided_at: clock().toISOString(),
          decision_comment: comment ?? null,
        }))
      ) {
        throw new ConflictError(`request ${id} was decided by someone else a moment ago`);
      }
      await record(ctx, 'request.reject', id, { comment: comment ?? null });
      return requestView(await get(id));
    },
  };
}

export type RequestService = ReturnType<typeof createRequestService>;
