// Profiling aid for the issuance hot path (not part of `npm run bench`): starts Tarsier in this process, issues
// certificates through the real HTTP API from a load worker, and prints the server process's CPU time per
// certificate, and how long its event loop (the one thread every request goes through) was busy per certificate.
// With PROFILE=<file>, writes a CPU profile of the measured window (open it in Chrome's DevTools).
//   node --import tsx bench/profile-issuance.ts [sqlite|postgres] [clients] [seconds]
import 'reflect-metadata';
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import type { TestDialect } from '../test/harness/databases.ts';
import { startTarsier } from '../test/harness/tarsier.ts';
import { runLoad } from './lib/load.ts';

/** CPU seconds of this process's main thread (Linux: /proc/self/task/<pid>/stat, in clock ticks of 10 ms). */
function mainThreadCpu(): number {
  const fields = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const dialect = (process.argv[2] ?? 'sqlite') as TestDialect;
const clients = Number(process.argv[3] ?? 1);
const seconds = Number(process.argv[4] ?? 5);
const t = await startTarsier({ dialect });
const ca = await t.api('POST', '/api/v1/authorities', {
  name: 'Profile Root',
  type: 'root',
  subject: { commonName: 'Tarsier Profile Root' },
  keyType: 'ec-p256',
});
const request = {
  method: 'POST',
  url: `${t.url}/api/v1/certificates`,
  headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token}` },
  body: JSON.stringify({ authorityId: ca.json.id, commonName: 'svc-{n}.bench.example.com', keyType: 'ec-p256' }),
  expectStatus: 201,
};
await runLoad({ client: 'http', concurrency: clients, durationMs: 1000, requests: [request] });
// PROFILE=<file>: a CPU profile of the server thread over the measured window only (no start-up in it).
const profileFile = process.env.PROFILE;
const session = profileFile ? new inspector.Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
const cpu0 = process.cpuUsage();
const elu0 = performance.eventLoopUtilization();
const main0 = mainThreadCpu();
const r = await runLoad({ client: 'http', concurrency: clients, durationMs: seconds * 1000, requests: [request] });
const cpu = process.cpuUsage(cpu0);
const elu = performance.eventLoopUtilization(elu0);
const main = mainThreadCpu() - main0;
const n = r.requestsSent;
if (session && profileFile) {
  const { profile } = await session.post('Profiler.stop');
  fs.writeFileSync(profileFile, JSON.stringify(profile));
}
process.stdout.write(
  `${dialect} c=${clients}: ${r.perSecond.toFixed(0)}/s p50 ${r.latency.p50.toFixed(2)} ms, errors ${r.errors} ${r.firstError ?? ''}; ` +
    `process CPU (server + load thread) ${((cpu.user + cpu.system) / 1000 / n).toFixed(3)} ms/cert ` +
    `(user ${(cpu.user / 1000 / n).toFixed(3)}, system ${(cpu.system / 1000 / n).toFixed(3)}); ` +
    `server thread CPU ${((main * 1000) / n).toFixed(3)} ms/cert; event loop busy ${(elu.active / n).toFixed(3)} ms/cert (${(elu.utilization * 100).toFixed(0)}%)\n`,
);
await t.stop();
