// SQLite's deferred search index (migrations/012, db/search-indexer.ts): rows committed but not yet indexed are
// found all the same, an update or delete before indexing leaves the FTS5 index consistent (FTS5's own integrity
// check), and a restart indexes what a stopped process left behind. PostgreSQL has nothing deferred (GIN).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../config.ts';
import { createServices, type Services } from '../services.ts';

function row(cn: string, n: number) {
  const hex = n.toString(16).padStart(8, '0');
  return {
    origin: 'imported' as const,
    common_name: cn,
    sans: JSON.stringify({ dns: [cn], ip: [], email: [], uri: [] }),
    search_text: `${cn} ${hex}`,
    serial: hex,
    fingerprint_sha256: hex.padEnd(64, 'c'),
    fingerprint_sha1: hex.padEnd(40, 'd'),
    subject_dn: `CN=${cn}`,
    issuer_dn: 'CN=x',
    not_before: '2026-01-01T00:00:00.000Z',
    not_after: '2028-01-01T00:00:00.000Z',
    key_type: 'ec-p256',
    signature_algorithm: 'ecdsa-with-SHA256',
    certificate_der: new Uint8Array([0x30, 0x00]),
    labels: '{}',
    created_at: '2026-01-01T00:00:00.000Z',
  };
}

describe('deferred search index on sqlite', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-search-index-'));
  let services: Services | undefined;
  const open = () => createServices(loadServerConfig({ dataDir, logLevel: 'silent', sqliteSynchronous: 'NORMAL' }, {}));
  const names = async (q: string) =>
    (await services!.certificates.list({ q, limit: 10 })).rows.map((r) => r.common_name);
  const indexedThrough = async (s: Services) =>
    Number((await sql<{ t: number }>`SELECT indexed_through AS t FROM search_index_state`.execute(s.db)).rows[0]!.t);
  /** FTS5's integrity check; `againstContent` also compares it with the certificates table (all rows indexed). */
  const integrity = (s: Services, againstContent = true) =>
    sql`INSERT INTO certificates_fts(certificates_fts, rank) VALUES ('integrity-check', ${againstContent ? 1 : 0})`.execute(
      s.db,
    );

  afterEach(async () => {
    await services?.close();
    services = undefined;
  });

  it('finds fresh rows before indexing, and stays consistent through updates and deletes', async () => {
    services = await open();
    await services.searchIndex.stop(); // no timer: this test decides when the index catches up
    await services.db
      .insertInto('certificates')
      .values([row('alpha.zebra.test', 1), row('beta.zebra.test', 2)])
      .execute();
    expect(await indexedThrough(services)).toBe(0);
    expect((await names('zebra')).sort()).toEqual(['alpha.zebra.test', 'beta.zebra.test']);

    // Changed and removed before the indexer saw them: the triggers must not touch the index for these rows.
    await services.db
      .updateTable('certificates')
      .set({ search_text: 'alpha.okapi.test 1' })
      .where('serial', '=', '00000001')
      .execute();
    await services.db.deleteFrom('certificates').where('serial', '=', '00000002').execute();
    await integrity(services, false);
    expect(await names('zebra')).toEqual([]);

    expect(await services.searchIndex.catchUp()).toBe(1);
    await integrity(services);
    expect(await names('okapi')).toEqual(['alpha.zebra.test']);
    const ids = await sql<{
      rowid: number;
    }>`SELECT rowid FROM certificates_fts WHERE certificates_fts MATCH '"okapi"'`.execute(services.db);
    expect(ids.rows).toHaveLength(1);

    // Indexed rows follow the triggers again.
    await services.db
      .updateTable('certificates')
      .set({ search_text: 'alpha.lemur.test 1' })
      .where('serial', '=', '00000001')
      .execute();
    await integrity(services);
    expect(await names('okapi')).toEqual([]);
    expect(await names('lemur')).toEqual(['alpha.zebra.test']);
  });

  it('indexes at the next start what a stopped process left unindexed', async () => {
    services = await open();
    await services.searchIndex.stop();
    await services.db.insertInto('certificates').values(row('gamma.tapir.test', 3)).execute();
    const before = await indexedThrough(services);
    await services.close();
    services = await open();
    // The timer's first pass runs within its interval.
    for (let i = 0; i < 50 && (await indexedThrough(services)) === before; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await indexedThrough(services)).toBeGreaterThan(before);
    await integrity(services);
    expect(await names('tapir')).toEqual(['gamma.tapir.test']);
  });
});
