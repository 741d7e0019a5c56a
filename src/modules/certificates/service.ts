// Certificates: issue from a Tarsier authority (key generated here, or from a CSR), import, list and show,
// export (the key only on an explicit, audited call), revoke, rotate, archive. Every change commits its row,
// its encrypted key and its audit event in one transaction, so no issued certificate goes unrecorded.
import { type KeyObject, X509Certificate } from 'node:crypto';
import type { ParsedCertificate } from '../../crypto/types.ts';
import type { DialectOps } from '../../db/dialect.ts';
import type { Db } from '../../db/index.ts';
import type { AuthorityRow, CertificateRow } from '../../db/schema.ts';
import { ConflictError, ForbiddenError, NotFoundError, PolicyError, ValidationError } from '../../errors.ts';
import { type AuditService, byCaller } from '../audit/service.ts';
import type { AuthorityService } from '../authorities/service.ts';
import { ownsCertificate, requireOwnership, resolveOwner } from '../identity/ownership.ts';
import { hasPermission } from '../identity/permissions.ts';
import type { RevocationReasonName } from '../issuers/plugin.ts';
import type { IssuerService } from '../issuers/service.ts';
import type { KeyService } from '../keys/service.ts';
import type { RequestContext } from '../request-context.ts';
import { checkExportRequest, defaultInclude, type ExportFile, renderExport } from './export-render.ts';
import { asUpstream, createExternalIssuance, type ExternalOutcome } from './external-issuance.ts';
import { readImport } from './import-input.ts';
import { createIssuance } from './issuance.ts';
import { type CertificateQuery, createLister } from './list.ts';
import { metadata, rowFromParsed } from './rows.ts';
import type { ExportInput, ImportInput, IssueInput } from './schemas.ts';
import * as store from './store.ts';

export interface CertificateDeps {
  db: Db;
  dialect: DialectOps;
  keys: Pick<KeyService, 'store' | 'load'>;
  audit: Pick<AuditService, 'record' | 'forTarget'>;
  authorities: Pick<AuthorityService, 'signer' | 'list'>;
  issuers: Pick<IssuerService, 'row' | 'pluginOf' | 'issue' | 'poll' | 'revoke'>;
  clock: () => Date;
  /** Told after a revocation commits, so that CRLs and OCSP follow at once. */
  onRevoked?: (authorityId: number, crlShard: number) => Promise<void>;
  /** Told after a rotation issued the replacement at once, so it is deployed wherever the old one was. */
  onRotated?: (oldId: number, newId: number, ctx: RequestContext) => Promise<void>;
}

export function createCertificateService(deps: CertificateDeps) {
  const { db, keys, audit, authorities, clock } = deps;
  const lister = createLister(deps);
  const issue = createIssuance(deps);
  const external = createExternalIssuance({ ...deps, issuingAuthorityOf });

  async function get(id: number): Promise<CertificateRow> {
    const row = await store.findCertificateById(db, id);
    if (!row) throw new NotFoundError('certificate', id);
    return row;
  }

  return {
    get,
    list: (q: CertificateQuery) => lister.list(q),

    /** Issues a certificate from a Tarsier authority. Throws ValidationError, PolicyError, NotFoundError. */
    issue: (input: IssueInput, ctx: RequestContext) => issue(input, ctx),

    /**
     * Issues from a Tarsier authority or asks an external issuer; the latter may answer later (a pending
     * certificate). Throws ValidationError, PolicyError, NotFoundError, UpstreamError (the issuer refused).
     */
    async issueAny(input: IssueInput, ctx: RequestContext): Promise<ExternalOutcome> {
      if (input.issuerId !== undefined && input.authorityId !== undefined) {
        throw new ValidationError('issuerId', 'give either authorityId or issuerId, not both');
      }
      if (input.issuerId !== undefined) return external.start(input, ctx);
      return { certificate: await issue(input, ctx) };
    },

    /** Carries a pending certificate on at its issuer (used by the pending-certificate queue). */
    advancePending: external.advance,

    /** Imports a certificate (and optionally its key); re-importing the same certificate returns the existing one. */
    async import(input: ImportInput, ctx: RequestContext): Promise<{ row: CertificateRow; created: boolean }> {
      const material = readImport(input);
      const existing = await store.findCertificateByFingerprint(db, material.leaf.fingerprintSha256);
      if (existing) {
        if (material.key && existing.private_key_id === null) {
          await db.transaction().execute(async (trx) => {
            const keyId = await keys.store(trx, material.key!);
            await store.updateCertificate(trx, existing.id, { private_key_id: keyId });
            await audit.record(trx, byCaller(ctx, 'certificate.attach-key', { type: 'certificate', id: existing.id }));
          });
          return { row: await get(existing.id), created: false };
        }
        return { row: existing, created: false };
      }
      const authorityId = (await issuingAuthorityOf(material.leaf))?.id ?? null;
      const id = await db.transaction().execute(async (trx) => {
        const keyId = material.key ? await keys.store(trx, material.key) : null;
        const newId = await store.insertCertificate(trx, {
          ...rowFromParsed(material.leaf),
          authority_id: authorityId,
          origin: 'imported',
          chain_pem: material.chain.length ? material.chain.map((c) => c.pem).join('') : null,
          private_key_id: keyId,
          ...metadata({ ...input, owner: resolveOwner(ctx.principal, input.owner) }),
          created_at: clock().toISOString(),
          created_by: ctx.principal.actor,
        });
        await audit.record(
          trx,
          byCaller(
            ctx,
            'certificate.import',
            { type: 'certificate', id: newId },
            { serial: material.leaf.serial, withKey: Boolean(material.key) },
          ),
        );
        return newId;
      });
      return { row: await get(id), created: true };
    },

    /** Renders an export; a key is included only for callers with certificate:read-key, and every key read is audited. */
    async export(id: number, input: ExportInput, ctx: RequestContext): Promise<ExportFile> {
      const row = await get(id);
      const include = input.include?.length ? input.include : defaultInclude(input.format);
      checkExportRequest(input.format, include, input.password);
      let key: KeyObject | undefined;
      if (include.includes('key')) {
        const target = { type: 'certificate', id };
        const refusal = !hasPermission(ctx.principal, 'certificate:read-key')
          ? new ForbiddenError('exporting a private key needs the permission certificate:read-key')
          : !ownsCertificate(ctx.principal, row.owner)
            ? new ForbiddenError(
                `certificate ${id} belongs to '${row.owner ?? 'nobody'}'; only its owners or an admin may export its key`,
              )
            : undefined;
        if (refusal) {
          await audit.record(
            db,
            byCaller(ctx, 'certificate.export-key', target, { reason: refusal.message }, 'denied'),
          );
          throw refusal;
        }
        if (row.private_key_id === null) {
          throw new ConflictError(
            `certificate ${id} has no stored private key (it was issued from a CSR or imported without one)`,
          );
        }
        key = await keys.load(db, row.private_key_id);
        await audit.record(db, byCaller(ctx, 'certificate.export-key', target, { format: input.format }));
      }
      return renderExport(
        input.format,
        include,
        { der: row.certificate_der, chainPem: row.chain_pem, name: row.common_name || row.serial },
        key,
        input.password,
      );
    },

    /**
     * Revokes a certificate Tarsier issued: one signed by a Tarsier authority (directly or through an `internal`
     * issuer) goes into that authority's CRL and OCSP; any other is revoked at its external issuer.
     */
    async revoke(id: number, reason: string, ctx: RequestContext): Promise<CertificateRow> {
      const row = await get(id);
      requireOwnership(ctx.principal, id, row.owner, 'revoke it');
      if (row.origin === 'issued' && row.issuer_id !== null && row.authority_id === null) {
        return revokeAtIssuer(row, reason, ctx);
      }
      if (row.origin !== 'issued' || row.authority_id === null) {
        throw new PolicyError(`certificate ${id} was imported; Tarsier cannot revoke it at its issuer`);
      }
      await db.transaction().execute(async (trx) => {
        if (!(await store.markRevoked(trx, id, clock().toISOString(), reason))) {
          throw new ConflictError(`certificate ${id} is already revoked`);
        }
        await audit.record(trx, byCaller(ctx, 'certificate.revoke', { type: 'certificate', id }, { reason }));
      });
      const revoked = await get(id);
      // Published before answering, so a caller that checks the CRL or OCSP right after sees the revocation.
      await deps.onRevoked?.(row.authority_id, revoked.crl_shard ?? 0);
      return revoked;
    },

    /** Re-issues with the same parameters and a new key; the new certificate replaces the old. */
    async rotate(id: number, body: { csr?: string }, ctx: RequestContext): Promise<ExternalOutcome> {
      const row = await get(id);
      requireOwnership(ctx.principal, id, row.owner, 'rotate it');
      if (row.origin !== 'issued' || !row.issue_params) {
        throw new PolicyError(`certificate ${id} was imported; only certificates Tarsier issued can be rotated`);
      }
      if (row.replaced_by_id !== null)
        throw new ConflictError(
          `certificate ${id} was already rotated; rotate certificate ${row.replaced_by_id} instead`,
        );
      const { fromCsr, ...params } = JSON.parse(row.issue_params) as IssueInput & { fromCsr?: boolean };
      if (fromCsr && !body.csr)
        throw new ValidationError('csr', `certificate ${id} was issued from a CSR; send a new CSR to rotate it`);
      // The validity is re-derived from its length, not its dates; explicit dates would re-issue an expired window.
      const days = params.notAfter
        ? Math.round((Date.parse(params.notAfter) - Date.parse(params.notBefore ?? row.not_before)) / 86_400_000)
        : params.validityDays;
      const { notBefore: _nb, notAfter: _na, ...rest } = params;
      const outcome: ExternalOutcome =
        row.issuer_id !== null
          ? await external.start({ ...params, csr: body.csr }, ctx, row)
          : { certificate: await issue({ ...rest, validityDays: days, csr: body.csr }, ctx, row) };
      if ('certificate' in outcome) await deps.onRotated?.(id, outcome.certificate.id, ctx);
      return outcome;
    },

    async archive(id: number, ctx: RequestContext): Promise<CertificateRow> {
      const row = await get(id);
      requireOwnership(ctx.principal, id, row.owner, 'archive it');
      if (row.archived_at) return row;
      await db.transaction().execute(async (trx) => {
        await store.updateCertificate(trx, id, { archived_at: clock().toISOString() });
        await audit.record(trx, byCaller(ctx, 'certificate.archive', { type: 'certificate', id }));
      });
      return get(id);
    },

    async update(
      id: number,
      input: { owner?: string; description?: string; labels?: Record<string, string>; notify?: boolean },
      ctx: RequestContext,
    ) {
      const row = await get(id);
      requireOwnership(ctx.principal, id, row.owner, 'change it');
      const changes: Record<string, unknown> = {};
      if (input.owner !== undefined) changes.owner = resolveOwner(ctx.principal, input.owner);
      if (input.description !== undefined) changes.description = input.description;
      if (input.labels !== undefined) changes.labels = JSON.stringify(input.labels);
      if (input.notify !== undefined) changes.notify = input.notify ? 1 : 0;
      await db.transaction().execute(async (trx) => {
        await store.updateCertificate(trx, id, changes);
        await audit.record(
          trx,
          byCaller(ctx, 'certificate.update', { type: 'certificate', id }, { fields: Object.keys(changes) }),
        );
      });
      return get(id);
    },

    events: (id: number) => audit.forTarget('certificate', id),

    /** Records that another CA revoked a certificate (found by a revocation check); false when already marked. */
    async recordExternalRevocation(id: number, at: string, reason: string, source: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        if (!(await store.markRevoked(trx, id, at, reason))) return false;
        await audit.record(trx, {
          actor: 'system:revocation-check',
          action: 'certificate.revoked-externally',
          target: { type: 'certificate', id },
          outcome: 'success',
          details: { reason, source },
        });
        return true;
      });
    },
  };

  /** Revokes at the external issuer first, then records it: a refusal there leaves the record unchanged. */
  async function revokeAtIssuer(row: CertificateRow, reason: string, ctx: RequestContext): Promise<CertificateRow> {
    if (row.revoked_at) throw new ConflictError(`certificate ${row.id} is already revoked`);
    const issuer = await deps.issuers.row(row.issuer_id!);
    const certificatePem = new X509Certificate(row.certificate_der).toString();
    try {
      await deps.issuers.revoke(issuer, { certificatePem, serialHex: row.serial }, reason as RevocationReasonName);
    } catch (e) {
      throw asUpstream(issuer, e);
    }
    await db.transaction().execute(async (trx) => {
      await store.markRevoked(trx, row.id, clock().toISOString(), reason);
      await audit.record(
        trx,
        byCaller(ctx, 'certificate.revoke', { type: 'certificate', id: row.id }, { reason, issuerId: issuer.id }),
      );
    });
    return get(row.id);
  }

  /** The Tarsier authority that signed `leaf`, if any (matched by name, then proven by signature). */
  async function issuingAuthorityOf(leaf: ParsedCertificate): Promise<AuthorityRow | null> {
    for (const a of await authorities.list()) {
      if (a.subject_dn !== leaf.issuerDn) continue;
      const ca = new X509Certificate(a.certificate_der);
      if (new X509Certificate(leaf.der).verify(ca.publicKey)) return a;
    }
    return null;
  }
}

export type CertificateService = ReturnType<typeof createCertificateService>;
