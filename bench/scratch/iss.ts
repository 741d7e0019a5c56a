import 'reflect-metadata';
import { runIssuanceBench } from '../issuance.ts';

const r = await runIssuanceBench({
  ecSeconds: 3,
  rsaSeconds: 4,
  warmupSeconds: 1,
  dialects: ['sqlite', 'postgres'],
  concurrencies: [1, 16],
  log: console.log,
});
console.log(r.markdown);
