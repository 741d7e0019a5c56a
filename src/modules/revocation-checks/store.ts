// Queries of revocation checking: the certificates other CAs issued that are still live, least recently checked
// first, and the result of each check.
import type { Selectable } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { RevocationChecksTable } from '../../db/schema.ts';

export type CheckRow = Selectable<RevocationChecksTable>;

export function certificatesToCheck(db: Db, now: string, limit: number) {
  return db
    .selectFrom('certificates')
    .leftJoin('revocation_checks', 'revocation_checks.certificate_id', 'certificates.id')
    .select(['certificates.id', 'certificates.certificate_der', 'certificates.chain_pem'])
    .where('certificates.origin', '=', 'imported')
    .where('certificates.authority_id', 'is', null)
    .where('certificates.revoked_at', 'is', null)
    .where('certificates.archived_at', 'is', null)
    .where('certificates.not_after', '>', now)
    .orderBy('revocation_checks.checked_at', (ob) => ob.nullsFirst())
    .orderBy('certificates.id')
    .limit(limit)
    .execute();
}

export async function saveCheck(db: Db, row: CheckRow): Promise<void> {
  const { certificate_id: _id, ...changes } = row;
  await db
    .insertInto('revocation_checks')
    .values(row)
    .onConflict((oc) => oc.column('certificate_id').doUpdateSet(changes))
    .execute();
}
