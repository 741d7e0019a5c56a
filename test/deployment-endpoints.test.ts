// Deployments as endpoints, on SQLite and PostgreSQL: issuing into a directory destination records the written
// file as an endpoint of kind `destination` (listed by the certificate and by GET /endpoints), and a rotation that
// redeploys there shows the same endpoint as `changed`, now holding the new certificate (checked with openssl).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaPair } from './harness/authorities.ts';
import { testDialects } from './harness/databases.ts';
import { type Workdir, workdir } from './harness/openssl.ts';
import { type RunningTarsier, startTarsier } from './harness/tarsier.ts';

describe.each(testDialects())('deployments as endpoints on %s', (dialect) => {
  let t: RunningTarsier;
  let w: Workdir;
  let inter: any;

  beforeAll(async () => {
    t = await startTarsier({ dialect });
    w = workdir();
    ({ inter } = await createCaPair(t, w, 'Deployed'));
  });
  afterAll(async () => {
    await t?.stop();
    w?.remove();
  });

  const serialOf = (file: string) => {
    w.write('on-disk.crt', fs.readFileSync(file));
    return w.openssl(['x509', '-in', 'on-disk.crt', '-noout', '-serial']).split('=')[1]!.trim().toLowerCase();
  };

  it('a deployed file is an endpoint of kind destination; after a rotation it shows changed', async () => {
    const dir = path.join(w.dir, 'site');
    fs.mkdirSync(dir);
    const dest = await t.api('POST', '/api/v1/destinations', {
      name: 'site',
      plugin: 'directory',
      options: { path: dir },
    });
    expect(dest.status, dest.text).toBe(201);
    const issued = await t.api('POST', '/api/v1/certificates', {
      authorityId: inter.id,
      commonName: 'deployed.example.com',
      destinations: [dest.json.id],
    });
    expect(issued.status, issued.text).toBe(201);
    const location = issued.json.deployments[0].location;
    const certFile = path.join(dir, 'deployed.example.com.crt');
    expect(location).toContain(certFile);
    expect(serialOf(certFile).replace(/^0+/, '')).toBe(issued.json.serial.replace(/^0+/, ''));

    const seen = (await t.api('GET', `/api/v1/certificates/${issued.json.id}/endpoints`)).json.items;
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ kind: 'destination', destinationId: dest.json.id, path: location, current: true });
    const listed = (await t.api('GET', '/api/v1/endpoints?kind=destination')).json.items;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      id: seen[0].id,
      kind: 'destination',
      destinationId: dest.json.id,
      status: 'current',
      certificateId: issued.json.id,
      previousCertificateId: null,
    });

    const rotated = await t.api('POST', `/api/v1/certificates/${issued.json.id}/rotate`, {});
    expect(rotated.status, rotated.text).toBe(201);
    expect(serialOf(certFile).replace(/^0+/, '')).toBe(rotated.json.serial.replace(/^0+/, ''));
    const after = (await t.api('GET', `/api/v1/endpoints/${seen[0].id}`)).json;
    expect(after).toMatchObject({
      kind: 'destination',
      status: 'changed',
      certificateId: rotated.json.id,
      previousCertificateId: issued.json.id,
    });
    expect(after.changedAt).not.toBeNull();
    expect((await t.api('GET', '/api/v1/endpoints?kind=destination&status=changed')).json.items).toHaveLength(1);
    const oldPlaces = (await t.api('GET', `/api/v1/certificates/${issued.json.id}/endpoints`)).json.items;
    expect(oldPlaces.map((e: any) => [e.id, e.current])).toEqual([[seen[0].id, false]]);
    const newPlaces = (await t.api('GET', `/api/v1/certificates/${rotated.json.id}/endpoints`)).json.items;
    expect(newPlaces.map((e: any) => [e.id, e.current])).toEqual([[seen[0].id, true]]);
  });
});
