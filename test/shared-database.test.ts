// Several Tarsier processes on one PostgreSQL database (here two servers in one test process, each with its own
// caches, which is what matters): a change one of them makes to an authority reaches the certificates the other
// issues within the signer cache's recheck interval (2 s, authorities/service.ts), with no restart.
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, testDialects } from './harness/databases.ts';
import { newMasterKeys } from './harness/processes.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

const onPostgres = testDialects().includes('postgres') ? ['postgres'] : [];

describe.each(onPostgres)('two servers sharing one %s database', () => {
  let a: RunningTarsier;
  let b: RunningTarsier;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const pg = await createPostgresDatabase();
    drop = pg.drop;
    const settings = { masterKeys: newMasterKeys() };
    a = await startTarsier({ databaseUrl: pg.url, settings });
    b = await startTarsier({ databaseUrl: pg.url, settings });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await drop?.();
  });

  it('issues on one server with the authority settings changed on the other, without a restart', async () => {
    const ca = await a.api('POST', '/api/v1/authorities', {
      name: 'Shared Root',
      type: 'root',
      subject: { commonName: 'Shared Root' },
    });
    expect(ca.status).toBe(201);
    const issueOnB = async (n: number) => {
      const res = await b.api('POST', '/api/v1/certificates', {
        authorityId: ca.json.id,
        commonName: `s${n}.example.com`,
      });
      expect(res.status).toBe(201);
      return new X509Certificate(res.json.pem).infoAccess;
    };
    expect(await issueOnB(0)).toBeUndefined(); // no public base URL yet: no OCSP URL; b has the signer cached now

    const base = 'http://pki.example.com/tarsier';
    const changed = await a.api('PATCH', `/api/v1/authorities/${ca.json.id}`, { publicBaseUrl: base });
    expect(changed.status).toBe(200);
    const since = performance.now();
    let access: string | undefined;
    for (let n = 1; !access && performance.now() - since < 6000; n++) {
      access = await issueOnB(n);
      if (!access) await new Promise((r) => setTimeout(r, 100));
    }
    expect(access).toContain(`OCSP - URI:${base}/`);
    expect(performance.now() - since).toBeLessThan(4000);
  });
});
