// Automatic rotation: certificates with rotation on are re-issued `days_before` their expiry by the same issuer
// with the same options and a new key (certificates.rotate), the replacement is handed to afterRotated (the
// destinations module deploys it), the owner is told, and the old one is revoked after a grace period when so
// configured. Each rotation is a row one process claims for a while: a process killed mid-way leaves the row to
// be taken over, and certificates.rotate refuses a second replacement, so nothing is lost or issued twice.
import type { Db } from '../../db/index.ts';
import type { CertificateRow } from '../../db/schema.ts';
import { NotFoundError } from '../../errors.ts';
import type { CertificateService } from '../certificates/service.ts';
import { permissionsOf } from '../identity/permissions.ts';
import type { PluginLogger } from '../issuers/plugin.ts';
import type { NoticeItem } from '../notifications/messages.ts';
import type { NotificationTriggers } from '../notifications/triggers.ts';
import type { PendingService } from '../pending/service.ts';
import type { RequestContext } from '../request-context.ts';
import * as store from './store.ts';

const DAY = 86_400_000;

/** Automatic rotation acts as the system, with an admin's reach, and is audited as `system:rotation`. */
export const ROTATION_CONTEXT: RequestContext = {
  principal: {
    userId: 0,
    username: 'system',
    roles: ['admin'],
    permissions: permissionsOf(['admin']),
    actor: 'system:rotation',
  },
};

export interface RotationDeps {
  db: Db;
  certificates: Pick<CertificateService, 'get' | 'rotate' | 'revoke'>;
  pending: Pick<PendingService, 'get'>;
  notices: Pick<NotificationTriggers, 'once'>;
  clock: () => Date;
  log: PluginLogger;
  /** How long one process may hold a rotation */
  claimSeconds: number;
  /** Deploys the replacement wherever the old certificate was deployed (wired to the destinations module). */
  afterRotated?: (oldId: number, newId: number) => Promise<void>;
  /** Failures before a rotation is given up (it then shows as failing until rotated by hand) */
  maxAttempts?: number;
}

/** Minutes to wait after the n-th failure: 5, 10, 20 … capped at six hours. */
export const rotationBackoffMs = (n: number) => Math.min(5 * 60_000 * 2 ** Math.max(0, n - 1), 6 * 3_600_000);

export const itemOf = (c: CertificateRow, detail?: string): NoticeItem => ({
  kind: 'certificate',
  id: c.id,
  name: c.common_name,
  owner: c.owner,
  authorityId: c.authority_id,
  labels: JSON.parse(c.labels) as Record<string, string>,
  notAfter: c.not_after,
  detail,
});

export type RotationOutcome = 'rotated' | 'waiting' | 'failed' | 'skipped';

export function createRotationWorker(deps: RotationDeps) {
  const { db, certificates, clock, log } = deps;
  const maxAttempts = deps.maxAttempts ?? 5;

  /** The replacement's id: one made already (by a process that died after issuing), or a new one. */
  async function replacement(old: CertificateRow, r: store.RotationRow): Promise<number | 'waiting'> {
    if (old.replaced_by_id !== null) return old.replaced_by_id;
    if (r.status === 'waiting' && r.pending_id !== null) {
      const p = await deps.pending.get(r.pending_id);
      if (p.status === 'pending') return 'waiting';
      if (p.status !== 'issued' || p.certificateId === null)
        throw new Error(`the issuer did not issue the replacement (${p.status}): ${p.lastError ?? 'no reason given'}`);
      return p.certificateId;
    }
    const out = await certificates.rotate(old.id, {}, ROTATION_CONTEXT);
    if ('pendingId' in out) {
      await store.updateRotation(db, old.id, { status: 'waiting', pending_id: out.pendingId });
      return 'waiting';
    }
    return out.certificate.id;
  }

  /** Deploys, carries the settings over, tells the owner once, and closes the row. */
  async function finish(old: CertificateRow, newId: number): Promise<void> {
    await deps.afterRotated?.(old.id, newId);
    const fresh = await certificates.get(newId);
    const settings = await store.findSettings(db, old.id);
    if (settings)
      await store.saveSettings(db, { ...settings, certificate_id: newId, updated_at: clock().toISOString() });
    const detail = `replaced by certificate ${newId}, valid until ${fresh.not_after.slice(0, 10)}`;
    await deps.notices.once('rotated', [itemOf(old, detail)], () => `rotated:${newId}`);
    await store.updateRotation(db, old.id, {
      status: 'done',
      new_certificate_id: newId,
      locked_until: null,
      last_error: null,
      updated_at: clock().toISOString(),
    });
  }

  async function fail(old: CertificateRow, r: store.RotationRow, e: unknown): Promise<void> {
    const attempts = r.attempts + 1;
    const error = e instanceof Error ? e.message : String(e);
    const gaveUp = attempts >= maxAttempts;
    log.warn({ certificateId: old.id, err: error, attempts }, 'automatic rotation failed');
    await store.updateRotation(db, old.id, {
      status: gaveUp ? 'failed' : r.status,
      attempts,
      last_error: error,
      next_attempt_at: new Date(clock().getTime() + rotationBackoffMs(attempts)).toISOString(),
      locked_until: null,
      updated_at: clock().toISOString(),
    });
    // Told at the first failure and when giving up, not at every retry.
    if (attempts === 1 || gaveUp) {
      const detail = `${gaveUp ? `gave up after ${attempts} attempts` : 'will retry'}: ${error}`;
      await deps.notices.once('rotation-failed', [itemOf(old, detail)], () => `rotation-failed:${attempts}`);
    }
  }

  /** Rotates one certificate unless another process holds it now. Never throws; the row records the outcome. */
  async function work(certificateId: number): Promise<RotationOutcome> {
    const now = clock();
    await store.ensureRotation(db, certificateId, now.toISOString());
    const until = new Date(now.getTime() + 1000 * deps.claimSeconds).toISOString();
    if (!(await store.claimRotation(db, certificateId, now.toISOString(), until))) return 'skipped';
    const r = (await store.findRotation(db, certificateId))!;
    const old = await certificates.get(certificateId);
    try {
      const newId = await replacement(old, r);
      if (newId === 'waiting') {
        const later = new Date(clock().getTime() + 30_000).toISOString();
        await store.updateRotation(db, certificateId, { next_attempt_at: later, locked_until: null });
        return 'waiting';
      }
      await finish(old, newId);
      return 'rotated';
    } catch (e) {
      await fail(old, r, e);
      return 'failed';
    }
  }

  /** Revokes replaced certificates whose grace period is over; returns how many. */
  async function revokeReplaced(): Promise<number> {
    let n = 0;
    for (const a of await store.awaitingRevocation(db)) {
      if (Date.parse(a.replaced_at) + (a.revoke_after_days ?? 0) * DAY > clock().getTime()) continue;
      try {
        const old = await certificates.get(a.certificate_id);
        if (!old.revoked_at) await certificates.revoke(old.id, 'superseded', ROTATION_CONTEXT);
        await store.updateRotation(db, a.certificate_id, { old_revoked_at: clock().toISOString() });
        n++;
      } catch (e) {
        log.warn(
          { certificateId: a.certificate_id, err: (e as Error).message },
          'revoking a replaced certificate failed',
        );
      }
    }
    return n;
  }

  return {
    work,
    /** One pass of the rotation job: every due certificate, unfinished rotations, then grace-period revocations. */
    async runDue(): Promise<Record<string, number>> {
      const now = clock();
      const counts: Record<string, number> = { rotated: 0, waiting: 0, failed: 0, skipped: 0 };
      const due = (await store.rotationCandidates(db, new Date(now.getTime() + 3650 * DAY).toISOString()))
        .filter((c) => Date.parse(c.not_after) - c.days_before * DAY <= now.getTime())
        .map((c) => c.id);
      const ids = new Set([...due, ...(await store.unfinishedRotationIds(db, now.toISOString()))]);
      for (const id of ids) counts[await work(id)]!++;
      return { ...counts, revoked: await revokeReplaced() };
    },
    async get(certificateId: number) {
      const r = await store.findRotation(db, certificateId);
      if (!r) throw new NotFoundError('rotation of certificate', certificateId);
      return r;
    },
  };
}

export type RotationWorker = ReturnType<typeof createRotationWorker>;
