// Issuing through an external issuer plugin (ACME, CFSSL, …): plan and make the key and CSR, ask the issuer, and
// either store the certificate at once or park the work as a pending certificate that advance() carries on, in
// any process, until the issuer delivers or refuses. The certificate row, its key and its audit event commit
// together, as for Tarsier's own authorities.
import { type KeyObject, X509Certificate } from 'node:crypto';
import { crlShardOf } from '../../crypto/crl.ts';
import { parseCsr } from '../../crypto/csr.ts';
import { publicKeySpki } from '../../crypto/keys.ts';
import { parseCertificates } from '../../crypto/parse.ts';
import type { ParsedCertificate } from '../../crypto/types.ts';
import type { Db } from '../../db/index.ts';
import type { AuthorityRow, CertificateRow, IssuerRow, PendingCertificateRow } from '../../db/schema.ts';
import { TarsierError, UpstreamError } from '../../errors.ts';
import { type AuditService, byCaller } from '../audit/service.ts';
import { resolveOwner } from '../identity/ownership.ts';
import { IssuanceFailed, type IssuedCertificate, type IssueOutcome, type IssueRequest } from '../issuers/plugin.ts';
import type { IssuerService } from '../issuers/service.ts';
import type { KeyService } from '../keys/service.ts';
import * as pendingStore from '../pending/store.ts';
import type { RequestContext } from '../request-context.ts';
import { planExternal } from './external-plan.ts';
import { alreadyRotated } from './issuance.ts';
import { metadata, rowFromParsed } from './rows.ts';
import type { IssueInput } from './schemas.ts';
import * as store from './store.ts';

export interface ExternalIssuanceDeps {
  db: Db;
  keys: Pick<KeyService, 'store'>;
  audit: Pick<AuditService, 'record'>;
  issuers: Pick<IssuerService, 'row' | 'pluginOf' | 'issue' | 'poll'>;
  /** The Tarsier authority that signed a certificate, if any (an `internal` issuer's certificates have one). */
  issuingAuthorityOf: (leaf: ParsedCertificate) => Promise<AuthorityRow | null>;
  clock: () => Date;
}

/** What is kept with a pending certificate to finish it later: the request without key material. */
interface StoredRequest {
  params: Omit<IssueInput, 'csr'>;
  owner: string;
  fromCsr: boolean;
  replacesId: number | null;
  issueRequest: Omit<IssueRequest, 'csrPem'>;
}

export type ExternalOutcome = { certificate: CertificateRow } | { pendingId: number };

/** An issuer's plain exception as the caller's error: refusals keep the CA's own text in details. */
interface Delivered {
  leaf: ParsedCertificate;
  chainPem: string;
  authority: AuthorityRow | null;
}

export function asUpstream(issuer: IssuerRow, e: unknown): TarsierError {
  if (e instanceof TarsierError) return e;
  if (e instanceof IssuanceFailed) {
    return new UpstreamError(`issuer '${issuer.name}' refused: ${e.message}`, {
      issuer: issuer.name,
      upstream: e.upstream ?? null,
    });
  }
  return new UpstreamError(`issuer '${issuer.name}' failed: ${(e as Error).message}`, { issuer: issuer.name });
}

export function createExternalIssuance({ db, keys, audit, issuers, issuingAuthorityOf, clock }: ExternalIssuanceDeps) {
  /**
   * Checks what the issuer delivered before any transaction opens: the leaf must certify the key that was asked
   * for. A leaf signed by a Tarsier authority is that authority's certificate too: linked to it, in its CRL shard,
   * revoked through its CRL and OCSP. (Looked up outside the transaction: SQLite has one connection.)
   */
  async function examine(issued: IssuedCertificate, publicKey: KeyObject): Promise<Delivered> {
    const [leaf] = parseCertificates(issued.certificatePem, 'certificatePem');
    if (!leaf) throw new IssuanceFailed('the issuer returned no certificate');
    const leafSpki = publicKeySpki(new X509Certificate(leaf.der).publicKey);
    if (!Buffer.from(publicKeySpki(publicKey)).equals(Buffer.from(leafSpki))) {
      throw new IssuanceFailed('the issuer returned a certificate for a different key than the one requested');
    }
    return { leaf, chainPem: issued.chainPem, authority: await issuingAuthorityOf(leaf) };
  }

  /** Stores an examined delivery with its audit event, inside the caller's transaction. */
  async function storeIssued(
    exec: Db,
    issuer: IssuerRow,
    { leaf, chainPem, authority }: Delivered,
    keyId: number | null,
    req: StoredRequest,
    actor: { ctx?: RequestContext; pendingId?: number; requestedBy?: string | null },
  ): Promise<CertificateRow> {
    const row = rowFromParsed(leaf);
    const stored = await store.insertCertificateReturning(exec, {
      ...row,
      authority_id: authority?.id ?? null,
      crl_shard: authority ? crlShardOf(row.serial, authority.crl_shards) : null,
      issuer_id: issuer.id,
      origin: 'issued',
      chain_pem: chainPem.trim() ? chainPem : null,
      private_key_id: keyId,
      ...metadata({ ...req.params, owner: req.owner }),
      replaces_id: req.replacesId,
      issue_params: JSON.stringify({ ...req.params, owner: req.owner, fromCsr: req.fromCsr }),
      created_at: clock().toISOString(),
      created_by: actor.ctx?.principal.actor ?? actor.requestedBy ?? null,
    });
    if (req.replacesId && !(await store.markReplaced(exec, req.replacesId, stored.id)))
      throw alreadyRotated(req.replacesId);
    const target = { type: 'certificate', id: stored.id };
    const details = {
      issuerId: issuer.id,
      ...(authority ? { authorityId: authority.id } : {}),
      serial: stored.serial,
      commonName: stored.common_name,
      fromCsr: req.fromCsr,
      replaces: req.replacesId,
      ...(actor.pendingId ? { pendingId: actor.pendingId, requestedBy: actor.requestedBy } : {}),
    };
    const action = req.replacesId ? 'certificate.rotate' : 'certificate.issue';
    await audit.record(
      exec,
      actor.ctx
        ? byCaller(actor.ctx, action, target, details)
        : { actor: 'system', action, target, outcome: 'success', details },
    );
    return stored;
  }

  return {
    storeIssued,

    /** Asks the issuer; returns the certificate, or the id of the pending certificate that will finish it. */
    async start(input: IssueInput, ctx: RequestContext, replaces?: CertificateRow): Promise<ExternalOutcome> {
      const issuer = await issuers.row(input.issuerId!);
      const plan = await planExternal(input, issuers.pluginOf(issuer));
      const { csr: _csr, ...params } = input;
      const owner = resolveOwner(ctx.principal, input.owner);
      const { csrPem, ...issueRequest } = plan.request;
      const req: StoredRequest = {
        params,
        owner,
        fromCsr: plan.fromCsr,
        replacesId: replaces?.id ?? null,
        issueRequest,
      };
      let outcome: IssueOutcome;
      try {
        outcome = await issuers.issue(issuer, plan.request);
      } catch (e) {
        throw asUpstream(issuer, e);
      }
      if (outcome.status === 'issued') {
        const delivered = await examine(outcome, plan.publicKey);
        const certificate = await db.transaction().execute(async (trx) => {
          const keyId = plan.privateKey ? await keys.store(trx, plan.privateKey) : null;
          return storeIssued(trx, issuer, delivered, keyId, req, { ctx });
        });
        return { certificate };
      }
      const now = clock();
      const pendingId = await db.transaction().execute(async (trx) => {
        const keyId = plan.privateKey ? await keys.store(trx, plan.privateKey) : null;
        const id = await pendingStore.insertPending(trx, {
          issuer_id: issuer.id,
          status: 'pending',
          common_name: plan.request.commonName,
          names: JSON.stringify([...plan.request.dnsNames, ...plan.request.ipAddresses]),
          owner,
          request: JSON.stringify(req),
          csr_pem: csrPem,
          private_key_id: keyId,
          state: JSON.stringify(outcome.state),
          message: outcome.message ?? null,
          attempts: 1,
          next_attempt_at: new Date(now.getTime() + 1000 * (outcome.retryAfterSeconds ?? 5)).toISOString(),
          created_at: now.toISOString(),
          created_by: ctx.principal.actor,
          updated_at: now.toISOString(),
        });
        await audit.record(
          trx,
          byCaller(
            ctx,
            'pending.create',
            { type: 'pending-certificate', id },
            { issuerId: issuer.id, names: req.issueRequest.dnsNames },
          ),
        );
        return id;
      });
      return { pendingId };
    },

    /** Asks the issuer how pending work goes; stores the certificate when it is there. Errors pass to the caller. */
    async advance(p: PendingCertificateRow): Promise<{ outcome: IssueOutcome; certificateId?: number }> {
      const issuer = await issuers.row(p.issuer_id);
      const req = JSON.parse(p.request) as StoredRequest;
      const outcome = await issuers.poll(issuer, JSON.parse(p.state), { ...req.issueRequest, csrPem: p.csr_pem });
      if (outcome.status === 'pending') return { outcome };
      const delivered = await examine(outcome, csrPublicKey(p.csr_pem));
      const cert = await db.transaction().execute(async (trx) => {
        const row = await storeIssued(trx, issuer, delivered, p.private_key_id, req, {
          pendingId: p.id,
          requestedBy: p.created_by,
        });
        await pendingStore.updatePending(trx, p.id, {
          status: 'issued',
          certificate_id: row.id,
          locked_until: null,
          message: null,
          updated_at: clock().toISOString(),
        });
        return row;
      });
      return { outcome, certificateId: cert.id };
    },
  };
}

function csrPublicKey(pem: string): KeyObject {
  return parseCsr(pem, 'csr').publicKey;
}

export type ExternalIssuance = ReturnType<typeof createExternalIssuance>;
