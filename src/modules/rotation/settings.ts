// What users do with rotation: turn it on or off per certificate (days before expiry, revocation of the old one
// after a grace period), see how the last automatic rotation went, and rotate many certificates by a filter,
// with a dry run that lists what would happen and why some would be skipped.
import type { Db } from '../../db/index.ts';
import type { CertificateRow } from '../../db/schema.ts';
import { PolicyError, TarsierError, ValidationError } from '../../errors.ts';
import { type AuditService, byCaller } from '../audit/service.ts';
import type { CertificateQuery } from '../certificates/list.ts';
import type { CertificateService } from '../certificates/service.ts';
import { ownsCertificate, requireOwnership } from '../identity/ownership.ts';
import type { RequestContext } from '../request-context.ts';
import * as store from './store.ts';

export interface RotationSettingsDeps {
  db: Db;
  certificates: Pick<CertificateService, 'get' | 'list' | 'rotate'>;
  audit: Pick<AuditService, 'record'>;
  clock: () => Date;
}

export interface SettingsInput {
  enabled: boolean;
  daysBefore?: number;
  revokeAfterDays?: number | null;
}

/** Why a certificate cannot be rotated now, or null when it can. */
export function skipReason(c: CertificateRow, ctx: RequestContext): string | null {
  if (!ownsCertificate(ctx.principal, c.owner)) return `belongs to '${c.owner ?? 'nobody'}'`;
  if (c.origin !== 'issued' || !c.issue_params) return 'imported: only certificates Tarsier issued can be rotated';
  if (c.replaced_by_id !== null) return `already replaced by certificate ${c.replaced_by_id}`;
  if (c.revoked_at) return 'revoked';
  if ((JSON.parse(c.issue_params) as { fromCsr?: boolean }).fromCsr) return 'issued from a CSR: needs a new CSR';
  return null;
}

export function createRotationSettings(deps: RotationSettingsDeps) {
  const { db, certificates, audit, clock } = deps;

  async function view(id: number) {
    const s = await store.findSettings(db, id);
    const r = await store.findRotation(db, id);
    return {
      certificateId: id,
      enabled: s?.enabled === 1,
      daysBefore: s?.days_before ?? 30,
      revokeAfterDays: s?.revoke_after_days ?? null,
      lastRotation: r
        ? {
            status: r.status,
            newCertificateId: r.new_certificate_id,
            pendingId: r.pending_id,
            attempts: r.attempts,
            lastError: r.last_error,
            nextAttemptAt: r.status === 'done' ? null : r.next_attempt_at,
            updatedAt: r.updated_at,
          }
        : null,
    };
  }

  return {
    get: async (id: number) => {
      await certificates.get(id);
      return view(id);
    },

    /** Turns automatic rotation on or off. Throws PolicyError for imported certificates, ForbiddenError. */
    async set(id: number, input: SettingsInput, ctx: RequestContext) {
      const c = await certificates.get(id);
      requireOwnership(ctx.principal, id, c.owner, 'change its rotation');
      if (input.enabled && (c.origin !== 'issued' || !c.issue_params))
        throw new PolicyError(`certificate ${id} was imported; only certificates Tarsier issued can be rotated`);
      const lifetimeDays = (Date.parse(c.not_after) - Date.parse(c.not_before)) / 86_400_000;
      const daysBefore = input.daysBefore ?? Math.min(30, Math.max(1, Math.floor(lifetimeDays / 3)));
      if (daysBefore >= lifetimeDays)
        throw new ValidationError(
          'daysBefore',
          `must be less than the certificate's lifetime (${Math.floor(lifetimeDays)} days)`,
        );
      await db.transaction().execute(async (trx) => {
        await store.saveSettings(trx, {
          certificate_id: id,
          enabled: input.enabled ? 1 : 0,
          days_before: daysBefore,
          revoke_after_days: input.revokeAfterDays ?? null,
          updated_at: clock().toISOString(),
        });
        // A rotation given up before is tried again once its settings are saved anew.
        await store.reopenFailedRotation(trx, id, clock().toISOString());
        await audit.record(
          trx,
          byCaller(ctx, 'certificate.rotation', { type: 'certificate', id }, { ...input, daysBefore }),
        );
      });
      return view(id);
    },

    /** Rotates every certificate matching `filter` (up to 500), or with dryRun only says what would happen. */
    async bulk(filter: CertificateQuery, dryRun: boolean, ctx: RequestContext) {
      // An empty filter matches the whole inventory: fine to look at, too easy to do by accident.
      if (!dryRun && Object.values(filter).every((v) => v === undefined || v === '')) {
        throw new ValidationError(
          'filter',
          'name at least one filter (q, owner, authorityId, expiringWithinDays, …) to rotate for real; an empty filter matches every certificate (a dry run may)',
        );
      }
      const { rows } = await certificates.list({ ...filter, limit: 500 });
      const items = [];
      for (const c of rows) {
        const reason = skipReason(c, ctx);
        const base = { certificateId: c.id, commonName: c.common_name, notAfter: c.not_after };
        if (reason) items.push({ ...base, action: 'skip' as const, reason });
        else if (dryRun) items.push({ ...base, action: 'rotate' as const, reason: null });
        else items.push({ ...base, ...(await rotateOne(c.id, ctx)) });
      }
      return { dryRun, items };
    },
  };

  async function rotateOne(id: number, ctx: RequestContext) {
    try {
      const out = await certificates.rotate(id, {}, ctx);
      if ('pendingId' in out) return { action: 'pending' as const, reason: null, pendingId: out.pendingId };
      return { action: 'rotated' as const, reason: null, newCertificateId: out.certificate.id };
    } catch (e) {
      if (!(e instanceof TarsierError)) throw e;
      return { action: 'failed' as const, reason: e.message };
    }
  }
}

export type RotationSettings = ReturnType<typeof createRotationSettings>;
