// The issuer plugins built into Tarsier. Adding one is a folder beside this file and a line here.
import { acmeIssuer } from './acme/index.ts';
import { cfsslIssuer } from './cfssl/index.ts';
import type { AnyIssuerPlugin } from './registry.ts';

export const builtinIssuerPlugins: readonly AnyIssuerPlugin[] = [acmeIssuer, cfsslIssuer];
