// Synthetic certificates of one authority for the revocation benchmark, loaded straight into the certificates
// table through Tarsier's own Kysely instance, and the same certificates as lines of an OpenSSL CA index.txt so
// that `openssl ocsp -index` and `openssl ca -gencrl` serve exactly the data Tarsier does. The stream is
// deterministic (seeded), so the in-memory CRL encoder run can be fed the very entries the database holds.
import fs from 'node:fs';
import { sql } from 'kysely';
import type { RevocationReason } from '../../src/crypto/crl.ts';
import type { Db } from '../../src/db/index.ts';
import type { NewCertificateRow } from '../../src/db/schema.ts';
import { random } from './synthetic.ts';

const DAY = 86_400_000;

export interface SyntheticCertificate {
  n: number;
  /** Stored form: lower-case hex of the DER INTEGER contents, 16 bytes, no leading zero byte. */
  serial: string;
  notAfter: Date;
  revokedAt?: Date;
  reason?: RevocationReason;
}

// Reasons in roughly the mix a busy authority sees; 'unspecified' carries no reason extension on the CRL.
const REASONS: Array<[RevocationReason, number]> = [
  ['unspecified', 0.4],
  ['superseded', 0.7],
  ['cessationOfOperation', 0.85],
  ['keyCompromise', 0.95],
  ['affiliationChanged', 1],
];

/** An endless, seeded stream of certificates valid for the next 1–398 days, `revokedShare` of them revoked. */
export function certificateStream(seed: number, revokedShare: number, now: number): () => SyntheticCertificate {
  const rnd = random(seed);
  const word = () => Math.floor(rnd() * 2 ** 32);
  let n = 0;
  return () => {
    n++;
    const first = (((word() >>> 24) & 0x7f) | 0x01).toString(16).padStart(2, '0');
    const rest = (word() & 0xffffff).toString(16).padStart(6, '0');
    const serial = first + rest + [word(), word(), word()].map((w) => w.toString(16).padStart(8, '0')).join('');
    const notAfter = new Date(Math.floor((now + DAY + rnd() * 397 * DAY) / 1000) * 1000);
    if (rnd() >= revokedShare) return { n, serial, notAfter };
    const revokedAt = new Date(Math.floor((now - rnd() * 300 * DAY) / 1000) * 1000);
    const pick = rnd();
    const reason = REASONS.find(([, upTo]) => pick < upTo)![0];
    return { n, serial, notAfter, revokedAt, reason };
  };
}

export function certificateRow(c: SyntheticCertificate, authorityId: number, der: Uint8Array): NewCertificateRow {
  const cn = `r${c.n}.bench.example.com`;
  return {
    authority_id: authorityId,
    origin: 'issued',
    common_name: cn,
    sans: `{"dns":["${cn}"],"ip":[],"email":[],"uri":[]}`,
    search_text: cn,
    serial: c.serial,
    // Unique per row (serials are); the benchmark never reads them.
    fingerprint_sha256: c.serial.padEnd(64, '0'),
    fingerprint_sha1: c.serial.padEnd(40, '0'),
    subject_dn: `CN=${cn}`,
    issuer_dn: 'CN=Bench',
    not_before: new Date(c.notAfter.getTime() - 397 * DAY).toISOString(),
    not_after: c.notAfter.toISOString(),
    key_type: 'ec-p256',
    signature_algorithm: 'ecdsa-with-SHA256',
    certificate_der: der,
    crl_shard: 0,
    labels: '{}',
    revoked_at: c.revokedAt?.toISOString() ?? null,
    revocation_reason: c.reason ?? null,
    created_at: new Date(c.notAfter.getTime() - 397 * DAY).toISOString(),
    created_by: 'user:bench',
  };
}

const OPENSSL_REASONS: Record<string, string> = { cACompromise: 'CACompromise' };

const utcTime = (d: Date) =>
  d.toISOString().replace(/^\d\d(\d\d)-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d).*$/, '$1$2$3$4$5$6Z');

/** One index.txt line: `V|R <tab> expiry <tab> revocation[,reason] <tab> SERIAL <tab> unknown <tab> /CN=…`. */
export function indexLine(serial: string, notAfter: Date, revokedAt?: Date, reason?: string | null): string {
  const status = revokedAt ? 'R' : 'V';
  const why = reason && reason !== 'unspecified' ? `,${OPENSSL_REASONS[reason] ?? reason}` : '';
  const revoked = revokedAt ? `${utcTime(revokedAt)}${why}` : '';
  return `${status}\t${utcTime(notAfter)}\t${revoked}\t${serial.toUpperCase()}\tunknown\t/CN=${serial}\n`;
}

export interface Loader {
  /** Inserts the next `count` certificates; each also goes to `onRow` (index lines, samples). */
  load(count: number, onRow?: (c: SyntheticCertificate) => void): Promise<number>;
}

const BATCH = 10_000;
const STATEMENT_ROWS = 1000;

/**
 * Loads a stream into the certificates table in 10,000-row transactions (two at a time on PostgreSQL, whose
 * CPU is spent in the server; SQLite has one writer, switched to synchronous=NORMAL while loading).
 */
export function createLoader(
  db: Db,
  dialect: 'sqlite' | 'postgres',
  authorityId: number,
  der: Uint8Array,
  next: () => SyntheticCertificate,
): Loader {
  return {
    async load(count, onRow) {
      const start = performance.now();
      if (dialect === 'sqlite') await sql`PRAGMA synchronous = NORMAL`.execute(db);
      let left = count;
      const worker = async () => {
        while (left > 0) {
          const size = Math.min(BATCH, left);
          left -= size;
          const rows: NewCertificateRow[] = [];
          for (let i = 0; i < size; i++) {
            const c = next();
            onRow?.(c);
            rows.push(certificateRow(c, authorityId, der));
          }
          await db.transaction().execute(async (trx) => {
            for (let i = 0; i < rows.length; i += STATEMENT_ROWS) {
              await trx
                .insertInto('certificates')
                .values(rows.slice(i, i + STATEMENT_ROWS))
                .execute();
            }
          });
        }
      };
      await Promise.all(Array.from({ length: dialect === 'postgres' ? 2 : 1 }, worker));
      // Tarsier's default (FULL) again for what is measured.
      if (dialect === 'sqlite') await sql`PRAGMA synchronous = FULL`.execute(db);
      return (performance.now() - start) / 1000;
    },
  };
}

/** Writes the authority's certificates as they stand in the database into an OpenSSL index.txt. */
export async function writeIndexFromDb(db: Db, authorityId: number, file: string): Promise<number> {
  const rows = await db
    .selectFrom('certificates')
    .select(['serial', 'not_after', 'revoked_at', 'revocation_reason'])
    .where('authority_id', '=', authorityId)
    .execute();
  const text = rows.map((r) =>
    indexLine(r.serial, new Date(r.not_after), r.revoked_at ? new Date(r.revoked_at) : undefined, r.revocation_reason),
  );
  fs.writeFileSync(file, text.join(''));
  fs.writeFileSync(`${file}.attr`, 'unique_subject = no\n');
  return rows.length;
}
