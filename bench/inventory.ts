// The inventory at scale: bulk-loads N synthetic certificates (default 1,000,000) straight into the certificates
// table through Tarsier's own Kysely instance, then times what a user sees, the list API over HTTP: first and
// second page, name search (rare and common term), expiring soon, serial lookup, newest first. Each query's plan
// (EXPLAIN) is recorded, so a miss of the 50 ms p95 target comes with the reason.
import { CompiledQuery as Compiled, type CompiledQuery, type KyselyPlugin, sql } from 'kysely';
import { createLister } from '../src/modules/certificates/list.ts';
import type { TestDialect } from '../test/harness/databases.ts';
import { type RunningTarsier, startTarsier } from '../test/harness/tarsier.ts';
import { type ClientKind, type LoadSummary, runLoad } from './lib/load.ts';
import { watchOtherCpu } from './lib/machine.ts';
import { fmt, ms } from './lib/stats.ts';
import { type Authority, random, randomSerial, serviceName, syntheticRow } from './lib/synthetic.ts';

export interface InventoryOptions {
  rows: number;
  dialects: TestDialect[];
  /** Timed requests per query (after 5 warm-up requests). */
  repeats: number;
  /** Upper bound on one query's measurement; a query this slow reports fewer samples. */
  querySeconds: number;
  targetP95Ms: number;
  client: ClientKind;
  /** Keep the loaded databases (for EXPLAIN by hand afterwards); the caller must exit the process. */
  keep?: boolean;
  log(line: string): void;
}

interface QueryCase {
  name: string;
  /** Query parameters per request, cycled (several values avoid measuring one cached row). */
  params: Array<Record<string, string | number>>;
}

interface QueryResult {
  name: string;
  example: string;
  result: LoadSummary;
  rowsReturned: number;
  plan: string;
  others: number;
}

interface DialectResult {
  database: string;
  loadSeconds: number;
  analyzeSeconds: number;
  sizeMiB: number;
  queries: QueryResult[];
}

const BATCH = 10_000;
const STATEMENT_ROWS = 1000;

async function setUpAuthorities(t: RunningTarsier): Promise<{ authorities: Authority[]; der: Uint8Array }> {
  const authorities: Authority[] = [];
  for (const [name, keyType] of [
    ['Bench Issuing EC', 'ec-p256'],
    ['Bench Issuing RSA', 'rsa-2048'],
    ['Bench Issuing P-384', 'ec-p384'],
  ]) {
    const r = await t.api('POST', '/api/v1/authorities', {
      name,
      type: 'root',
      subject: { commonName: name },
      keyType,
    });
    if (r.status !== 201) throw new Error(`creating authority ${name} failed: ${r.text}`);
    authorities.push({ id: r.json.id, subjectDn: r.json.subjectDn });
  }
  const leaf = await t.api('POST', '/api/v1/certificates', {
    authorityId: authorities[0]!.id,
    commonName: 'svc-0.payments.example.com',
  });
  if (leaf.status !== 201) throw new Error(`issuing the template certificate failed: ${leaf.text}`);
  const der = Buffer.from(leaf.json.pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return { authorities, der: new Uint8Array(der) };
}

/**
 * Loads `total` rows in transactions of BATCH rows, `parallel` transactions at a time (PostgreSQL spends its CPU
 * in the server process, so two connections use both cores; SQLite has one writer). Returns the seconds taken
 * and a sample of the serials.
 */
async function bulkLoad(
  t: RunningTarsier,
  total: number,
  authorities: Authority[],
  der: Uint8Array,
  log: (line: string) => void,
): Promise<{ seconds: number; serials: string[] }> {
  const db = t.services.db;
  const parallel = t.dialect === 'postgres' ? 2 : 1;
  const rnd = random(20_240_601);
  const ctx = { now: Date.now(), total, authorities, der };
  const serials: string[] = [];
  const every = Math.max(1, Math.floor(total / 400));
  const start = performance.now();
  let lastLog = start;
  let next = 1;
  let done = 0;
  const batch = () => {
    const first = next;
    const last = Math.min(first + BATCH - 1, total);
    next = last + 1;
    const rows = [];
    for (let n = first; n <= last; n++) {
      const serial = randomSerial();
      if (n % every === 0) serials.push(serial);
      rows.push(syntheticRow(n, serial, rnd, ctx));
    }
    return rows;
  };
  const loader = async () => {
    while (next <= total) {
      const rows = batch();
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += STATEMENT_ROWS) {
          await trx
            .insertInto('certificates')
            .values(rows.slice(i, i + STATEMENT_ROWS))
            .execute();
        }
      });
      done += rows.length;
      if (performance.now() - lastLog > 15_000) {
        lastLog = performance.now();
        const rate = done / ((lastLog - start) / 1000);
        log(`  loaded ${done.toLocaleString('en-US')} rows (${fmt(rate)} rows/s)`);
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, loader));
  // SQLite fills its trigram index after the commits (db/search-indexer.ts): loading ends when it has caught up.
  await t.services.searchIndex.catchUp();
  return { seconds: (performance.now() - start) / 1000, serials };
}

async function analyze(t: RunningTarsier): Promise<number> {
  const start = performance.now();
  if (t.dialect === 'postgres') await sql`ANALYZE certificates`.execute(t.services.db);
  else {
    await sql`ANALYZE`.execute(t.services.db);
    await sql`PRAGMA optimize`.execute(t.services.db);
  }
  return (performance.now() - start) / 1000;
}

async function databaseMiB(t: RunningTarsier): Promise<number> {
  const db = t.services.db;
  if (t.dialect === 'postgres') {
    const r = await sql<{ size: string }>`select pg_database_size(current_database()) as size`.execute(db);
    return Number(r.rows[0]!.size) / 2 ** 20;
  }
  const r = await sql<{
    size: number;
  }>`select page_count * page_size as size from pragma_page_count(), pragma_page_size()`.execute(db);
  return Number(r.rows[0]!.size) / 2 ** 20;
}

/** Records the SQL the lister sends, without changing it. */
function captureSql(executor: { compileQuery(node: any, id: any): CompiledQuery }) {
  const seen: CompiledQuery[] = [];
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      seen.push(executor.compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { plugin, seen };
}

/** The plan of the inventory query for these parameters: EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite. */
async function explain(t: RunningTarsier, params: Record<string, string | number>): Promise<string> {
  const db = t.services.db;
  const capture = captureSql(db.getExecutor());
  const lister = createLister({
    db: db.withPlugin(capture.plugin),
    dialect: t.services.database.dialect,
    clock: () => new Date(),
  });
  await lister.list(params as any);
  const query = capture.seen[0];
  if (!query) return '(no query captured)';
  const prefix = t.dialect === 'postgres' ? 'EXPLAIN (ANALYZE, BUFFERS) ' : 'EXPLAIN QUERY PLAN ';
  const r = await db.executeQuery(Compiled.raw(prefix + query.sql, [...query.parameters]));
  const rows = r.rows as Array<Record<string, unknown>>;
  const plan =
    t.dialect === 'postgres'
      ? rows.map((row) => String(row['QUERY PLAN'])).join('\n')
      : sqlitePlanTree(rows as Array<{ id: number; parent: number; detail: string }>);
  return `${query.sql}\n\n${plan}`;
}

function sqlitePlanTree(rows: Array<{ id: number; parent: number; detail: string }>): string {
  const depth = new Map<number, number>([[0, -1]]);
  return rows
    .map((r) => {
      const d = (depth.get(r.parent) ?? -1) + 1;
      depth.set(r.id, d);
      return `${'  '.repeat(d)}${r.detail}`;
    })
    .join('\n');
}

const query = (p: Record<string, string | number>) =>
  new URLSearchParams(Object.entries(p).map(([k, v]): [string, string] => [k, String(v)])).toString();

/**
 * A GET through the harness client, tried twice: after a long bulk load (which blocks the event loop on SQLite)
 * the client's idle keep-alive socket may already have been closed by the server.
 */
async function get(t: RunningTarsier, url: string) {
  try {
    return await t.api('GET', url);
  } catch {
    return t.api('GET', url);
  }
}

async function queryCases(t: RunningTarsier, total: number, serials: string[]): Promise<QueryCase[]> {
  const first = await get(t, '/api/v1/certificates?limit=50');
  if (first.status !== 200 || !first.json.next) throw new Error(`the first page failed: ${first.text.slice(0, 300)}`);
  const rnd = random(7);
  const names = Array.from({ length: 50 }, () => {
    const { host } = serviceName(1 + Math.floor(rnd() * total));
    return host.split('.').slice(0, 2).join('.'); // e.g. svc-123456.payments
  });
  return [
    { name: 'first page (default sort: notAfter), limit 50', params: [{ limit: 50 }] },
    { name: 'second page via cursor', params: [{ limit: 50, cursor: first.json.next }] },
    { name: 'search a service name (q=svc-N.team)', params: names.map((q) => ({ q, limit: 50 })) },
    { name: 'search a common substring (q=example)', params: [{ q: 'example', limit: 50 }] },
    { name: 'expiring within 30 days', params: [{ expiringWithinDays: 30, limit: 50 }] },
    { name: 'lookup by serial', params: serials.slice(0, 200).map((serial) => ({ serial })) },
    { name: 'newest first (sort=-createdAt)', params: [{ sort: '-createdAt', limit: 50 }] },
  ];
}

async function measureQueries(t: RunningTarsier, o: InventoryOptions, cases: QueryCase[]): Promise<QueryResult[]> {
  const headers = { authorization: `Bearer ${t.token}` };
  const out: QueryResult[] = [];
  for (const c of cases) {
    const requests = c.params.map((p) => ({ method: 'GET', url: `${t.url}/api/v1/certificates?${query(p)}`, headers }));
    const sample = await get(t, `/api/v1/certificates?${query(c.params[0]!)}`);
    if (sample.status !== 200) throw new Error(`${c.name}: HTTP ${sample.status} ${sample.text.slice(0, 300)}`);
    await runLoad({ client: o.client, concurrency: 1, requests, maxRequests: 5 });
    const watch = watchOtherCpu();
    const result = await runLoad({
      client: o.client,
      concurrency: 1,
      requests,
      maxRequests: o.repeats,
      durationMs: o.querySeconds * 1000,
    });
    const others = watch.stop();
    if (result.errors) throw new Error(`${c.name}: ${result.errors} failed, first: ${result.firstError}`);
    const plan = await explain(t, c.params[0]!);
    const r: QueryResult = {
      name: c.name,
      example: query(c.params[0]!).replace(/cursor=[^&]+/, 'cursor=…'),
      result,
      rowsReturned: sample.json.items.length,
      plan,
      others,
    };
    o.log(
      `  ${c.name}: p50 ${ms(result.latency.p50)} p95 ${ms(result.latency.p95)} (${result.latency.count} requests, ` +
        `${r.rowsReturned} rows)`,
    );
    out.push(r);
  }
  return out;
}

async function runDialect(o: InventoryOptions, dialect: TestDialect): Promise<DialectResult> {
  const database = dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  o.log(`inventory on ${database}: loading ${o.rows.toLocaleString('en-US')} rows ...`);
  const t = await startTarsier({ dialect });
  try {
    const { authorities, der } = await setUpAuthorities(t);
    const load = await bulkLoad(t, o.rows, authorities, der, o.log);
    o.log(`  loaded in ${fmt(load.seconds)} s (${fmt(o.rows / load.seconds)} rows/s); analyzing ...`);
    const analyzeSeconds = await analyze(t);
    const sizeMiB = await databaseMiB(t);
    const cases = await queryCases(t, o.rows, load.serials);
    const queries = await measureQueries(t, o, cases);
    return { database, loadSeconds: load.seconds, analyzeSeconds, sizeMiB, queries };
  } finally {
    if (o.keep) {
      await t.services.close();
      o.log(`  kept: ${t.databaseUrl ?? `${t.dataDir}/tarsier.db`}`);
    } else await t.stop();
  }
}

function markdown(o: InventoryOptions, results: DialectResult[]): string {
  const out: string[] = [
    `${o.rows.toLocaleString('en-US')} synthetic certificates, bulk-loaded through Tarsier's Kysely instance in ` +
      `transactions of ${BATCH.toLocaleString('en-US')} rows (multi-row INSERTs of ${STATEMENT_ROWS}; two transactions at a time on PostgreSQL), with every ` +
      'index and the search index in place (SQLite: FTS5 trigram, filled in batches after the commits and counted in the load time; PostgreSQL: pg_trgm GIN), then ' +
      '`ANALYZE` (and `PRAGMA optimize` on SQLite). Queries go through the HTTP API, one client, one request at a ' +
      `time: 5 warm-up requests, then ${o.repeats} timed ones (at most ${o.querySeconds} s per query). ` +
      'Latency includes HTTP, authentication, the query and the JSON of up to 50 items.',
    '',
    '### Bulk load',
    '',
    '| Database | rows | load time | rows/s | ANALYZE | database size |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    out.push(
      `| ${r.database} | ${o.rows.toLocaleString('en-US')} | ${fmt(r.loadSeconds)} s | ${fmt(o.rows / r.loadSeconds)} | ` +
        `${fmt(r.analyzeSeconds)} s | ${fmt(r.sizeMiB)} MiB |`,
    );
  }
  out.push(
    '',
    `### Queries (target: every query under ${o.targetP95Ms} ms p95)`,
    '',
    '| Database | Query | Example parameters | rows | requests | p50 | p95 | target | other processes |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | --- | ---: |',
  );
  for (const r of results) {
    for (const q of r.queries) {
      const s = q.result.latency;
      const met = s.p95 < o.targetP95Ms && s.count >= o.repeats;
      const verdict = met ? 'met' : s.p95 < o.targetP95Ms ? `met (only ${s.count} samples)` : '**not met**';
      out.push(
        `| ${r.database} | ${q.name} | \`${q.example}\` | ${q.rowsReturned} | ${s.count} | ${ms(s.p50)} | ${ms(s.p95)} | ` +
          `${verdict} | ${q.others.toFixed(2)} cores |`,
      );
    }
  }
  out.push('', '### Query plans', '');
  for (const r of results) {
    for (const q of r.queries) {
      const miss = q.result.latency.p95 >= o.targetP95Ms ? ' — misses the target' : '';
      out.push(
        `<details><summary>${r.database}: ${q.name}${miss}</summary>`,
        '',
        '```',
        q.plan,
        '```',
        '',
        '</details>',
      );
    }
  }
  return out.join('\n');
}

export interface InventoryTarget {
  name: string;
  met: boolean;
  detail: string;
}

/** Runs the inventory benchmark on each dialect; returns the markdown section and one target per query. */
export async function runInventoryBench(
  o: InventoryOptions,
): Promise<{ markdown: string; targets: InventoryTarget[] }> {
  const results: DialectResult[] = [];
  for (const d of o.dialects) results.push(await runDialect(o, d));
  const targets = results.flatMap((r) =>
    r.queries.map((q) => ({
      name: `${r.database}: ${q.name} p95 < ${o.targetP95Ms} ms`,
      met: q.result.latency.p95 < o.targetP95Ms,
      detail: `p95 ${ms(q.result.latency.p95)}`,
    })),
  );
  return { markdown: markdown(o, results), targets };
}
