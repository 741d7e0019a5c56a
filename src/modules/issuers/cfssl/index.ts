// The CFSSL issuer: Tarsier sends each CSR to a CloudFlare CFSSL server (`cfssl serve` or multirootca) and CFSSL
// signs it under one of its profiles. This file only assembles the plugin; the work lives beside it: client.ts
// (HTTP and CFSSL's envelope), auth.ts (authsign tokens), validate.ts, issue.ts, revoke.ts.
import type { IssuerPlugin } from '../plugin.ts';
import { cfsslChain, issueWithCfssl } from './issue.ts';
import { revokeWithCfssl } from './revoke.ts';
import {
  type CfsslOptions,
  CfsslOptionsSchema,
  CfsslRequestOptionsSchema,
  type CfsslSecrets,
  CfsslSecretsSchema,
} from './schemas.ts';
import { validateConfig } from './validate.ts';

export type { CfsslOptions, CfsslSecrets } from './schemas.ts';

export const cfsslIssuer: IssuerPlugin<CfsslOptions, CfsslSecrets> = {
  type: 'cfssl',
  title: 'CFSSL',
  description:
    "Sends certificate requests to a CloudFlare CFSSL server (`cfssl serve` or multirootca), which signs them under one of its profiles; revocation needs CFSSL's certificate database (-db-config).",
  options: CfsslOptionsSchema,
  secrets: CfsslSecretsSchema,
  requestOptions: CfsslRequestOptionsSchema,

  async validate(config) {
    await validateConfig(config);
    return config;
  },

  issue: issueWithCfssl,
  chain: (config) => cfsslChain(config.options),
  revoke: revokeWithCfssl,
};
