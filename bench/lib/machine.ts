// What the numbers were measured on (CPU, memory, runtime and database versions), and how much CPU other
// processes took while a run was measured: on a shared 2-core machine that is the first thing to check when a
// number looks wrong.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import SQLite from 'better-sqlite3';
import pg from 'pg';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  openssl: string;
  sqlite: string;
  postgres: string;
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

export async function machineInfo(postgresUrl: string): Promise<MachineInfo> {
  const model =
    run('lscpu', [])
      .match(/^Model name:\s*(.+)$/m)?.[1]
      ?.trim() ??
    os.cpus()[0]?.model ??
    'unknown';
  const db = new SQLite(':memory:');
  const sqlite = (db.prepare('select sqlite_version() as v').get() as { v: string }).v;
  db.close();
  let postgres = 'unreachable';
  const client = new pg.Client({ connectionString: postgresUrl });
  try {
    await client.connect();
    postgres = (await client.query('show server_version')).rows[0].server_version;
  } catch {
    // reported as unreachable
  } finally {
    await client.end().catch(() => {});
  }
  return {
    cpus: os.availableParallelism(),
    cpuModel: model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${run('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"'])}, Linux ${os.release()}`,
    node: process.version,
    openssl: `${process.versions.openssl} (in Node); CLI: ${run('openssl', ['version'])}`,
    sqlite: `${sqlite} (better-sqlite3)`,
    postgres,
  };
}

function systemBusySeconds(): number {
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return (user + nice + system + irq + softirq + steal) / 100;
}

function processSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * Starts counting CPU time; stop() returns the cores that processes other than this one (and `pids`, e.g. a
 * CFSSL server under test) kept busy meanwhile, averaged over the wall time. Linux only; 0 elsewhere.
 */
export function watchOtherCpu(pids: number[] = []): { stop(): number } {
  if (!fs.existsSync('/proc/stat')) return { stop: () => 0 };
  const ours = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const mine = () => ours() + pids.reduce((sum, pid) => sum + processSeconds(pid), 0);
  const t0 = performance.now();
  const busy0 = systemBusySeconds();
  const mine0 = mine();
  return {
    stop() {
      const wall = (performance.now() - t0) / 1000;
      const others = systemBusySeconds() - busy0 - (mine() - mine0);
      return wall > 0 ? Math.max(0, others / wall) : 0;
    },
  };
}

/**
 * Starts counting the CPU time of this process (every thread: the server under test and the load client) and of
 * `pids`; stop() returns it as cores busy on average over the wall time. Divided by a rate, it is the CPU one
 * request cost, the figure that says how many cores a rate needs. Linux only for `pids`.
 */
export function watchOwnCpu(pids: number[] = []): { stop(): number } {
  const seconds = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6 + pids.reduce((sum, pid) => sum + processSeconds(pid), 0);
  };
  const t0 = performance.now();
  const s0 = seconds();
  return {
    stop() {
      const wall = (performance.now() - t0) / 1000;
      return wall > 0 ? (seconds() - s0) / wall : 0;
    },
  };
}
