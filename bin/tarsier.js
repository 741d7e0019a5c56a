#!/usr/bin/env node
// Entry shim: registers the TypeScript loader so the CLI runs from source without a build step. The tsconfig is
// named explicitly because tsx otherwise looks in the current directory, and decorators need its settings.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
await import('../src/main.ts');
