// A root and an intermediate authority made through the API, the set-up most suites start from; the PEMs are
// written to the workdir as root.pem and inter.pem for openssl's -CAfile and -untrusted.
import { expect } from 'vitest';
import type { Workdir } from './openssl.ts';
import type { RunningTarsier } from './tarsier.ts';

export interface CaPair {
  root: any;
  inter: any;
}

/** Creates "<label> Root" and "<label> Issuing" (extra fields go into the intermediate's request). */
export async function createCaPair(
  t: RunningTarsier,
  w: Workdir,
  label: string,
  intermediate: Record<string, unknown> = {},
  rootFields: Record<string, unknown> = {},
): Promise<CaPair> {
  const r = await t.api('POST', '/api/v1/authorities', {
    name: `${label} Root`,
    type: 'root',
    subject: { commonName: `${label} Root` },
    ...rootFields,
  });
  expect(r.status, r.text).toBe(201);
  const i = await t.api('POST', '/api/v1/authorities', {
    name: `${label} Issuing`,
    type: 'intermediate',
    parentId: r.json.id,
    subject: { commonName: `${label} Issuing CA` },
    ...intermediate,
  });
  expect(i.status, i.text).toBe(201);
  w.write('root.pem', r.json.pem);
  w.write('inter.pem', i.json.pem);
  return { root: r.json, inter: i.json };
}
