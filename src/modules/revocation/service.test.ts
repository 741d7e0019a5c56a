// Time-driven revocation behaviour with a controllable clock: CRLs are rebuilt before nextUpdate, and the
// delegated OCSP signer is replaced once a third of its life remains.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workdir } from '../../../test/harness/openssl.ts';
import { loadServerConfig } from '../../config.ts';
import { parseOcspRequest } from '../../crypto/ocsp.ts';
import { createServices, type Services } from '../../services.ts';
import { permissionsOf } from '../identity/permissions.ts';

const DAY = 86_400_000;

describe('revocation over time', () => {
  let now = new Date('2027-03-01T00:00:00Z');
  let services: Services;
  let caId: number;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-rev-'));
  const ctx = {
    principal: {
      userId: 1,
      username: 'admin',
      roles: ['admin'],
      permissions: permissionsOf(['admin']),
      actor: 'user:admin',
    },
  };
  const w = workdir();

  beforeAll(async () => {
    services = await createServices(loadServerConfig({ dataDir, logLevel: 'silent' }, {}), () => now);
    const ca = await services.authorities.create(
      { name: 'Clocked', type: 'root', subject: { commonName: 'Clocked Root' }, publicBaseUrl: 'http://pki.test' },
      ctx,
    );
    caId = ca.id;
  });
  afterAll(async () => {
    await services?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    w.remove();
  });

  it('looks up OCSP status by issuer and serial through an index, even before any statistics exist', async () => {
    const plan = await sql<{
      detail: string;
    }>`EXPLAIN QUERY PLAN SELECT revoked_at FROM certificates WHERE serial = ${'ab'} AND authority_id = ${1}`.execute(
      services.db,
    );
    const detail = plan.rows.map((r) => r.detail).join(' | ');
    expect(detail).toMatch(/USING INDEX certificates_(authority_)?serial \((authority_id=\? AND )?serial=\?\)/);
  });

  it('rebuilds a CRL an hour before its nextUpdate, with a higher CRL number', async () => {
    const first = await services.revocation.crl(caId, 0, 'full');
    expect(first.nextUpdate).toBe('2027-03-02T00:00:00.000Z');
    expect(await services.revocation.refreshDue()).toBe(0);
    now = new Date(now.getTime() + 23.5 * 3_600_000);
    expect(await services.revocation.refreshDue()).toBe(1);
    const second = await services.revocation.crl(caId, 0, 'full');
    expect(second.crlNumber).toBeGreaterThan(first.crlNumber);
    expect(second.thisUpdate).toBe(now.toISOString().replace(/\.\d+Z$/, '.000Z'));
  });

  it('replaces the delegated OCSP signer when a third of its 30 days remain', async () => {
    const leaf = await services.certificates.issue({ authorityId: caId, commonName: 'ocsp.example.com' }, ctx);
    const ca = await services.authorities.get(caId);
    w.write('ca.der', ca.certificate_der);
    w.openssl(['x509', '-inform', 'DER', '-in', 'ca.der', '-out', 'ca.pem']);
    w.write('leaf.der', leaf.certificate_der);
    w.openssl(['x509', '-inform', 'DER', '-in', 'leaf.der', '-out', 'leaf.pem']);
    w.openssl(['ocsp', '-issuer', 'ca.pem', '-cert', 'leaf.pem', '-reqout', 'req.der']);
    const request = w.read('req.der');
    expect(parseOcspRequest(request).nonce).toBeDefined(); // with a nonce, nothing is served from cache
    const answer = async () => {
      const { body } = await services.revocation.ocsp(caId, request);
      w.write('resp.der', body);
      expect(
        w.openssl(['ocsp', '-respin', 'resp.der', '-issuer', 'ca.pem', '-cert', 'leaf.pem', '-noverify']),
      ).toContain('good');
    };
    expect((await services.authorities.get(caId)).ocsp_certificate_der).toBeNull();
    await answer();
    const issued = (await services.authorities.get(caId)).ocsp_certificate_der;
    expect(issued).not.toBeNull();
    now = new Date(now.getTime() + 15 * DAY);
    await answer();
    expect(Buffer.from((await services.authorities.get(caId)).ocsp_certificate_der!)).toEqual(Buffer.from(issued!));
    now = new Date(now.getTime() + 6 * DAY);
    await answer();
    const renewed = (await services.authorities.get(caId)).ocsp_certificate_der!;
    expect(Buffer.from(renewed)).not.toEqual(Buffer.from(issued!));
  });
});
