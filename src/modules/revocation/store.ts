// Queries for revocation publishing: revoked certificates of an authority's CRL shard (paged by id, so a
// million entries never sit in one result), the CRL counter, stored CRLs, and the OCSP status lookup.
import type { Db } from '../../db/index.ts';
import type { CrlsTable } from '../../db/schema.ts';

export interface RevokedEntry {
  id: number;
  serial: string;
  revoked_at: string;
  revocation_reason: string | null;
}

/** One page of revoked certificates in a shard, ordered by id; `since` keeps only later revocations (deltas). */
export function listRevokedPage(
  db: Db,
  authorityId: number,
  shard: number,
  afterId: number,
  limit: number,
  since?: string,
): Promise<RevokedEntry[]> {
  let q = db
    .selectFrom('certificates')
    .select(['id', 'serial', 'revoked_at', 'revocation_reason'])
    .where('authority_id', '=', authorityId)
    .where('crl_shard', '=', shard)
    .where('revoked_at', 'is not', null)
    .where('id', '>', afterId);
  if (since) q = q.where('revoked_at', '>', since);
  return q.orderBy('id').limit(limit).execute() as Promise<RevokedEntry[]>;
}

/** Atomically takes the authority's next CRL number (safe with several processes on one database). */
export async function nextCrlNumber(db: Db, authorityId: number): Promise<number> {
  const row = await db
    .updateTable('authorities')
    .set((eb) => ({ crl_number: eb('crl_number', '+', 1) }))
    .where('id', '=', authorityId)
    .returning('crl_number')
    .executeTakeFirstOrThrow();
  return row.crl_number;
}

export type CrlRow = Omit<CrlsTable, 'id'>;

export async function saveCrl(db: Db, crl: CrlRow): Promise<void> {
  await db
    .insertInto('crls')
    .values(crl)
    .onConflict((oc) =>
      oc.columns(['authority_id', 'shard', 'kind']).doUpdateSet({
        crl_number: crl.crl_number,
        base_crl_number: crl.base_crl_number,
        this_update: crl.this_update,
        next_update: crl.next_update,
        entries: crl.entries,
        der: crl.der,
        created_at: crl.created_at,
      }),
    )
    .execute();
}

export function findCrl(db: Db, authorityId: number, shard: number, kind: 'full' | 'delta') {
  return db
    .selectFrom('crls')
    .selectAll()
    .where('authority_id', '=', authorityId)
    .where('shard', '=', shard)
    .where('kind', '=', kind)
    .executeTakeFirst();
}

/** CRLs whose nextUpdate comes before `before`: the scheduler regenerates them. */
export function listCrlsDue(db: Db, before: string) {
  return db.selectFrom('crls').select(['authority_id', 'shard', 'kind']).where('next_update', '<', before).execute();
}

export function findStatus(db: Db, authorityId: number, serial: string) {
  return db
    .selectFrom('certificates')
    .select(['revoked_at', 'revocation_reason', 'not_after'])
    .where('serial', '=', serial)
    .where('authority_id', '=', authorityId)
    .executeTakeFirst();
}

export async function setOcspSigner(db: Db, authorityId: number, keyId: number, der: Uint8Array): Promise<void> {
  await db
    .updateTable('authorities')
    .set({ ocsp_key_id: keyId, ocsp_certificate_der: der })
    .where('id', '=', authorityId)
    .execute();
}
