import { ensureCfssl, startCfssl } from '../lib/cfssl.ts';
import { runLoad } from '../lib/load.ts';

console.log(ensureCfssl(console.log));
const c = await startCfssl();
for (const algo of [
  { algo: 'ecdsa', size: 256 },
  { algo: 'rsa', size: 2048 },
])
  for (const conc of [1, 16]) {
    const r = await runLoad({
      client: 'http',
      concurrency: conc,
      warmupMs: 1000,
      durationMs: 4000,
      requests: [
        {
          method: 'POST',
          url: `${c.url}/api/v1/cfssl/newcert`,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ request: { CN: 'x{n}.example.com', hosts: ['x{n}.example.com'], key: algo } }),
        },
      ],
    });
    console.log(algo.algo, conc, Math.round(r.perSecond), r.latency, r.errors, r.firstError, r.clientBusy);
  }
await c.stop();
