// The inventory list: turns API query parameters into a store filter, and pages with an opaque cursor that
// carries the last row's sort value and id (keyset paging stays fast on page 10,000 as on page 1).
import { type Expression, type SqlBool, sql } from 'kysely';
import { normalizeDnsName } from '../../crypto/names.ts';
import type { DialectOps } from '../../db/dialect.ts';
import type { Db } from '../../db/index.ts';
import type { CertificateRow } from '../../db/schema.ts';
import { ValidationError } from '../../errors.ts';
import type { ListInput } from './schemas.ts';
import * as store from './store.ts';

export type CertificateQuery = ListInput;

const DAY = 86_400_000;

function decodeCursor(cursor: string, sort: string): { value: string | number; id: number } {
  try {
    const [s, value, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [
      string,
      string | number,
      number,
    ];
    if (s !== sort || !Number.isInteger(id)) throw new Error('mismatch');
    return { value, id };
  } catch {
    throw new ValidationError(
      'cursor',
      'is not a cursor from this listing; start again without it (or keep the same sort)',
    );
  }
}

/** A fingerprint as stored: lower-case hex without colons or spaces, every byte kept (a leading 00 too). */
export function hexFingerprint(text: string): string {
  return text.replace(/[:\s]/g, '').toLowerCase();
}

/** A serial as stored: a fingerprint's form without leading zero bytes (DER INTEGER padding is not part of it). */
export function hexId(text: string): string {
  return hexFingerprint(text).replace(/^(00)+(?=[0-9a-f]{2})/, '');
}

function encodeCursor(sort: string, value: string | number, id: number): string {
  return Buffer.from(JSON.stringify([sort, value, id])).toString('base64url');
}

export function createLister({ db, dialect, clock }: { db: Db; dialect: DialectOps; clock: () => Date }) {
  /** Names by substring (the dialect's trigram index); a hex term also by prefix of serial or fingerprint. */
  async function searchTerm(term: string): Promise<Expression<SqlBool>> {
    const names = await dialect.searchCertificates(db, term);
    const hex = term.replace(/[:\s]/g, '');
    if (!/^[0-9a-f]{6,}$/.test(hex)) return names;
    const prefix = (column: string, p: string) =>
      sql<SqlBool>`(${sql.ref(column)} >= ${p} AND ${sql.ref(column)} < ${`${p}g`})`;
    return sql<SqlBool>`(${names} OR ${prefix('certificates.serial', hexId(hex))} OR ${prefix('certificates.fingerprint_sha256', hex)} OR ${prefix('certificates.fingerprint_sha1', hex)})`;
  }

  return {
    async list(q: CertificateQuery): Promise<{ rows: CertificateRow[]; next: string | null; total?: number }> {
      const now = clock();
      const sortText = q.sort ?? 'notAfter';
      const descending = sortText.startsWith('-');
      const sort = (descending ? sortText.slice(1) : sortText) as store.SortKey;
      const term = q.q?.trim().toLowerCase();
      const filter: store.ListFilter = {
        now: now.toISOString(),
        search: [
          ...(term ? [await searchTerm(term)] : []),
          ...(q.domain ? [await dialect.searchCertificates(db, normalizeDnsName(q.domain, 'domain'))] : []),
        ],
        status: q.status,
        owner: q.owner,
        serial: q.serial ? hexId(q.serial) : undefined,
        fingerprint: q.fingerprint ? hexFingerprint(q.fingerprint) : undefined,
        authorityId: q.authorityId,
        keyType: q.keyType,
        expiringBefore:
          q.expiringWithinDays !== undefined
            ? new Date(now.getTime() + q.expiringWithinDays * DAY).toISOString()
            : undefined,
        archived: q.archived ?? 'exclude',
        sort,
        descending,
        limit: q.limit ?? 50,
        after: q.cursor ? decodeCursor(q.cursor, sortText) : undefined,
      };
      const rows = await store.listCertificates(db, filter);
      const more = rows.length > filter.limit;
      const page = more ? rows.slice(0, filter.limit) : rows;
      const last = page[page.length - 1];
      const next = more && last ? encodeCursor(sortText, store.sortValue(last, sort), last.id) : null;
      const total = q.total ? await store.countCertificates(db, { ...filter, after: undefined }) : undefined;
      return { rows: page, next, total };
    },
  };
}
