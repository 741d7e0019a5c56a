// Queries of the certificates table, including the inventory list: filters, substring search (through the
// dialect's trigram index) and keyset paging, where every sort order has an index ending in id.
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { Db } from '../../db/index.ts';
import { insertReturningAll } from '../../db/insert-cache.ts';
import type { CertificateUpdate, Database, NewCertificateRow } from '../../db/schema.ts';

export async function insertCertificate(db: Db, row: NewCertificateRow): Promise<number> {
  const r = await db.insertInto('certificates').values(row).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

/** Inserts and returns the stored row, saving a read on the issuance hot path. */
export function insertCertificateReturning(db: Db, row: NewCertificateRow) {
  return insertReturningAll(db, 'certificates', row);
}

export function findCertificateById(db: Db, id: number) {
  return db.selectFrom('certificates').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findCertificateByFingerprint(db: Db, sha256: string) {
  return db.selectFrom('certificates').selectAll().where('fingerprint_sha256', '=', sha256).executeTakeFirst();
}

export async function updateCertificate(db: Db, id: number, changes: CertificateUpdate): Promise<void> {
  await db.updateTable('certificates').set(changes).where('id', '=', id).execute();
}

/**
 * Links a rotation: `id` is replaced by `newId` unless it was replaced already (by another process rotating it at
 * the same moment); returns whether this call did it. The caller rolls back its new certificate when not.
 */
export async function markReplaced(db: Db, id: number, newId: number): Promise<boolean> {
  const r = await db
    .updateTable('certificates')
    .set({ replaced_by_id: newId })
    .where('id', '=', id)
    .where('replaced_by_id', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Marks a certificate revoked unless it already is; returns whether this call did it (safe against races). */
export async function markRevoked(db: Db, id: number, at: string, reason: string): Promise<boolean> {
  const r = await db
    .updateTable('certificates')
    .set({ revoked_at: at, revocation_reason: reason })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

const SORT_COLUMNS = {
  notAfter: 'not_after',
  notBefore: 'not_before',
  createdAt: 'created_at',
  commonName: 'common_name',
  id: 'id',
} as const;
export type SortKey = keyof typeof SORT_COLUMNS;

export interface ListFilter {
  now: string;
  /** Substring conditions (from `q` and `domain`), built by the dialect. */
  search: Expression<SqlBool>[];
  status?: 'valid' | 'expired' | 'revoked' | 'not-yet-valid';
  owner?: string;
  serial?: string;
  fingerprint?: string;
  authorityId?: number;
  keyType?: string;
  expiringBefore?: string;
  archived: 'exclude' | 'include' | 'only';
  sort: SortKey;
  descending: boolean;
  limit: number;
  after?: { value: string | number; id: number };
}

type Eb = ExpressionBuilder<Database, 'certificates'>;

function conditions(eb: Eb, f: ListFilter): Expression<SqlBool>[] {
  const c: Expression<SqlBool>[] = [];
  if (f.archived === 'exclude') c.push(eb('archived_at', 'is', null));
  if (f.archived === 'only') c.push(eb('archived_at', 'is not', null));
  c.push(...f.search);
  if (f.owner) c.push(eb('owner', '=', f.owner));
  if (f.serial) c.push(eb('serial', '=', f.serial));
  if (f.fingerprint)
    c.push(eb(f.fingerprint.length === 40 ? 'fingerprint_sha1' : 'fingerprint_sha256', '=', f.fingerprint));
  if (f.authorityId) c.push(eb('authority_id', '=', f.authorityId));
  if (f.keyType) c.push(eb('key_type', '=', f.keyType));
  if (f.status === 'revoked') c.push(eb('revoked_at', 'is not', null));
  if (f.status === 'expired') c.push(eb.and([eb('revoked_at', 'is', null), eb('not_after', '<=', f.now)]));
  if (f.status === 'valid')
    c.push(eb.and([eb('revoked_at', 'is', null), eb('not_after', '>', f.now), eb('not_before', '<=', f.now)]));
  if (f.status === 'not-yet-valid') c.push(eb.and([eb('revoked_at', 'is', null), eb('not_before', '>', f.now)]));
  if (f.expiringBefore) {
    c.push(
      eb.and([eb('revoked_at', 'is', null), eb('not_after', '>', f.now), eb('not_after', '<=', f.expiringBefore)]),
    );
  }
  return c;
}

/** One page of the inventory; fetches limit+1 rows so the caller knows whether a next page exists. */
export function listCertificates(db: Db, f: ListFilter) {
  const col = SORT_COLUMNS[f.sort];
  const dir = f.descending ? 'desc' : 'asc';
  return db
    .selectFrom('certificates')
    .selectAll()
    .where((eb) => {
      const c = conditions(eb, f);
      if (f.after) {
        const op = f.descending ? '<' : '>';
        c.push(
          col === 'id'
            ? eb('id', op, f.after.id)
            : eb(eb.refTuple(col, 'id'), op, eb.tuple(f.after.value as string, f.after.id)),
        );
      }
      return eb.and(c);
    })
    .orderBy(col, dir)
    .$if(col !== 'id', (q) => q.orderBy('id', dir))
    .limit(f.limit + 1)
    .execute();
}

export async function countCertificates(db: Db, f: ListFilter): Promise<number> {
  const r = await db
    .selectFrom('certificates')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where((eb) => eb.and(conditions(eb, f)))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export function sortValue(row: Record<string, unknown>, sort: SortKey): string | number {
  return row[SORT_COLUMNS[sort]] as string | number;
}
