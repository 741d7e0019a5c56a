import { calibrateClients } from '../lib/load.ts';

const r = await calibrateClients(16, 3000);
for (const [k, v] of Object.entries(r)) console.log(k, Math.round(v.perSecond), v.latency.p50, v.clientBusy);
const r1 = await calibrateClients(1, 2000);
for (const [k, v] of Object.entries(r1)) console.log(k, Math.round(v.perSecond), v.latency.p50, v.clientBusy);
