// Starts a real nginx for a test file: its own config, pid file and temp paths in a temporary directory, a TLS
// server on a free 127.0.0.1 port serving <certDir>/<name>.fullchain.crt and <name>.key (a throwaway self-signed
// pair is put there first, so nginx can start before Tarsier deploys), and an HTTP server on another free port
// serving <webRoot> (for ACME HTTP-01). `reloadCommand` is what a destination runs after deploying.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stopProcessGroup } from './dns-server.ts';
import { freePort } from './slapd.ts';

export interface RunningNginx {
  dir: string;
  certDir: string;
  webRoot: string;
  tlsPort: number;
  httpPort: number;
  reloadCommand: string;
  /** nginx's error log, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Waits until something accepts connections on 127.0.0.1:`port`; throws with `log()` if `child` exits first. */
export async function waitForPort(port: number, child: ChildProcess, log: () => string, what = 'nginx'): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (open) return;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${what} did not start: ${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startNginx(opts: { name?: string; httpPort?: number } = {}): Promise<RunningNginx> {
  const name = opts.name ?? 'www';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-nginx-'));
  const certDir = path.join(dir, 'certs');
  const webRoot = path.join(dir, 'www');
  fs.mkdirSync(certDir);
  fs.mkdirSync(webRoot);
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'],
      ...['-subj', '/CN=placeholder', '-keyout', path.join(certDir, `${name}.key`)],
      ...['-out', path.join(certDir, `${name}.fullchain.crt`)],
    ],
    { stdio: 'ignore' },
  );
  const tlsPort = await freePort();
  const httpPort = opts.httpPort ?? (await freePort());
  const conf = path.join(dir, 'nginx.conf');
  const errorLog = path.join(dir, 'error.log');
  const temp = (what: string) => `${what}_temp_path ${path.join(dir, what)};`;
  fs.writeFileSync(
    conf,
    [
      'daemon off;',
      'user root root;',
      'worker_processes 1;',
      `pid ${path.join(dir, 'nginx.pid')};`,
      `error_log ${errorLog} notice;`,
      'events { worker_connections 64; }',
      'http {',
      '  access_log off;',
      `  ${temp('client_body')} ${temp('proxy')} ${temp('fastcgi')} ${temp('uwsgi')} ${temp('scgi')}`,
      `  server { listen 127.0.0.1:${tlsPort} ssl;`,
      `    ssl_certificate ${path.join(certDir, `${name}.fullchain.crt`)};`,
      `    ssl_certificate_key ${path.join(certDir, `${name}.key`)};`,
      '    location / { return 200 "tls ok\\n"; } }',
      `  server { listen 127.0.0.1:${httpPort}; root ${webRoot};`,
      '    location /.well-known/acme-challenge/ { default_type text/plain; } }',
      '}',
    ].join('\n'),
  );
  const child = spawn('/usr/sbin/nginx', ['-c', conf, '-p', dir], { detached: true, stdio: 'ignore' });
  const log = () => (fs.existsSync(errorLog) ? fs.readFileSync(errorLog, 'utf8') : '');
  await waitForPort(tlsPort, child, log);
  await waitForPort(httpPort, child, log);
  return {
    dir,
    certDir,
    webRoot,
    tlsPort,
    httpPort,
    reloadCommand: `/usr/sbin/nginx -c ${conf} -p ${dir} -s reload`,
    log,
    async stop() {
      await stopProcessGroup(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
