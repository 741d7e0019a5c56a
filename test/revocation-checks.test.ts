// Revocation checking of certificates Tarsier did not issue, on SQLite and PostgreSQL: a second Tarsier plays the
// other CA (its own OCSP responder and CRLs, reached through a small HTTP relay that can make OCSP fail). Imported
// certificates revoked there are marked revoked here with the CA's reason, by OCSP, and by the CRL when the
// responder does not answer; `openssl ocsp` agrees with what the check found.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaPair } from './harness/authorities.ts';
import { testDialects } from './harness/databases.ts';
import { type Workdir, workdir } from './harness/openssl.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

/** Forwards to the other CA's public endpoints; with `ocspDown`, its OCSP answers 503. */
async function startRelay(target: () => string) {
  const state = { ocspDown: false, ocspRequests: 0, crlRequests: 0 };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const isOcsp = (req.url ?? '').startsWith('/ocsp');
    if (isOcsp) state.ocspRequests++;
    else state.crlRequests++;
    if (isOcsp && state.ocspDown) {
      res.writeHead(503).end('responder down');
      return;
    }
    const upstream = await fetch(`${target()}${req.url}`, {
      method: req.method,
      headers: { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' },
      body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
    });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, state, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

describe.each(testDialects())('revocation checks on %s', (dialect) => {
  let t: RunningTarsier;
  let other: RunningTarsier;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let w: Workdir;
  let interId: number;

  beforeAll(async () => {
    [t, other] = await Promise.all([startTarsier({ dialect }), startTarsier()]);
    relay = await startRelay(() => other.url);
    w = workdir();
    ({
      inter: { id: interId },
    } = await createCaPair(other, w, 'Other', { publicBaseUrl: relay.url }));
  });
  afterAll(async () => {
    await t?.stop();
    await other?.stop();
    await relay?.stop();
    w?.remove();
  });

  /** Issues at the other CA and imports the certificate with its chain here. */
  async function issueElsewhere(commonName: string) {
    const issued = await other.api('POST', '/api/v1/certificates', { authorityId: interId, commonName });
    expect(issued.status, issued.text).toBe(201);
    const imported = await t.api('POST', '/api/v1/certificates/import', {
      pem: issued.json.pem + issued.json.chainPem,
    });
    expect(imported.status, imported.text).toBe(201);
    return { there: issued.json, here: imported.json };
  }
  const runChecks = async () => {
    const r = await t.api('POST', '/api/v1/jobs/revocation-checks/run');
    expect(r.status, r.text).toBe(200);
    expect(r.json.status, r.text).toBe('succeeded');
    return r.json.result;
  };

  it('marks a certificate revoked by its CA (found by OCSP) with the reason, and leaves a good one alone', async () => {
    const revoked = await issueElsewhere('revoked.example.com');
    const good = await issueElsewhere('good.example.com');
    const r = await other.api('POST', `/api/v1/certificates/${revoked.there.id}/revoke`, { reason: 'keyCompromise' });
    expect(r.status, r.text).toBe(200);

    expect(await runChecks()).toEqual({ good: 1, revoked: 1, unknown: 0, error: 0 });
    expect(relay.state.ocspRequests).toBe(2);
    expect(relay.state.crlRequests).toBe(0);
    const mine = (await t.api('GET', `/api/v1/certificates/${revoked.here.id}`)).json;
    expect(mine.status).toBe('revoked');
    expect(mine.revocationReason).toBe('keyCompromise');
    expect((await t.api('GET', `/api/v1/certificates/${good.here.id}`)).json.status).toBe('valid');
    const events = (await t.api('GET', `/api/v1/audit-events?action=certificate.revoked-externally`)).json.items;
    expect(events.map((e: any) => e.targetId)).toEqual([String(revoked.here.id)]);

    // openssl, asked the same responder, agrees.
    w.write('revoked.pem', revoked.there.pem);
    const said = await w.opensslAsync([
      ...['ocsp', '-issuer', 'inter.pem', '-cert', 'revoked.pem'],
      ...['-url', `${relay.url}/ocsp/${interId}`, '-CAfile', 'root.pem'],
    ]);
    expect(said).toContain('revoked.pem: revoked');
    expect(said).toContain('Reason: keyCompromise');
  });

  it('reads the CRL when the OCSP responder does not answer', async () => {
    const gone = await issueElsewhere('crl-only.example.com');
    const r = await other.api('POST', `/api/v1/certificates/${gone.there.id}/revoke`, { reason: 'superseded' });
    expect(r.status, r.text).toBe(200);
    relay.state.ocspDown = true;
    const crlBefore = relay.state.crlRequests;
    expect(await runChecks()).toMatchObject({ revoked: 1 });
    expect(relay.state.crlRequests).toBeGreaterThan(crlBefore);
    const mine = (await t.api('GET', `/api/v1/certificates/${gone.here.id}`)).json;
    expect(mine.status).toBe('revoked');
    expect(mine.revocationReason).toBe('superseded');
  });
});
