// TLS servers for discovery tests and the benchmark: a real nginx serving given certificates on free ports of
// 127.0.0.1 (its own config and temp folder, stopped after), Node TLS servers whose certificate can be swapped,
// and a plain TCP server that does not speak TLS. SECLEVEL=0 lets them present weak and SHA-1 certificates.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { freePort } from './slapd.ts';

export interface Served {
  /** PEM of the certificate followed by its chain. */
  certPem: string;
  keyPem: string;
}

async function waitForPort(port: number, child: ChildProcess | undefined, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child && child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}: ${log()}`);
}

/** Starts nginx with one TLS server per site, each on its own free port. */
export async function startNginxTls(sites: Served[]): Promise<{ ports: number[]; stop(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-nginx-'));
  const ports: number[] = [];
  const servers: string[] = [];
  for (const [i, site] of sites.entries()) {
    fs.writeFileSync(path.join(dir, `site${i}.pem`), site.certPem);
    fs.writeFileSync(path.join(dir, `site${i}.key`), site.keyPem, { mode: 0o600 });
    const port = await freePort();
    ports.push(port);
    servers.push(`server { listen 127.0.0.1:${port} ssl; ssl_certificate ${dir}/site${i}.pem;
      ssl_certificate_key ${dir}/site${i}.key; ssl_ciphers DEFAULT:@SECLEVEL=0; location / { return 200 "ok\\n"; } }`);
  }
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/${t};`).join(' ');
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    `user root; daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 256; }
http { access_log off; ${temp}
${servers.join('\n')}
}
`,
  );
  const child = spawn('nginx', ['-p', dir, '-c', `${dir}/nginx.conf`, '-e', `${dir}/error.log`], { stdio: 'ignore' });
  const log = () => (fs.existsSync(`${dir}/error.log`) ? fs.readFileSync(`${dir}/error.log`, 'utf8') : '');
  for (const port of ports) await waitForPort(port, child, log);
  return {
    ports,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface NodeTlsServer {
  port: number;
  /** Serves another certificate from the next handshake on. */
  setCertificate(site: Served): void;
  stop(): Promise<void>;
}

/** Listens on a free port; stop() closes the server and every connection still open (close() alone waits). */
async function listen(server: net.Server): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

const contextOptions = (site: Served) => ({ cert: site.certPem, key: site.keyPem, ciphers: 'DEFAULT:@SECLEVEL=0' });

/** A Node TLS server on a free port of 127.0.0.1 presenting `site`. */
export async function startNodeTls(site: Served): Promise<NodeTlsServer> {
  // The client closes first (it has what it came for); the server only answers the close.
  const server = tls.createServer(contextOptions(site), (socket) => {
    socket.on('error', () => {});
    socket.on('end', () => socket.end());
    socket.resume();
  });
  server.on('tlsClientError', () => {});
  const listening = await listen(server);
  return { ...listening, setCertificate: (next) => server.setSecureContext(contextOptions(next)) };
}

/** `count` TLS listeners in this process sharing one certificate: a stand-in for many hosts in the benchmark. */
export async function startManyNodeTls(
  count: number,
  site: Served,
): Promise<{ ports: number[]; stop(): Promise<void> }> {
  const servers = await Promise.all(Array.from({ length: count }, () => startNodeTls(site)));
  return {
    ports: servers.map((s) => s.port),
    stop: async () => void (await Promise.all(servers.map((s) => s.stop()))),
  };
}

/** A TCP server that answers with plain text: a port that is open but is not TLS. */
export async function startPlainTcp(): Promise<{ port: number; stop(): Promise<void> }> {
  return listen(net.createServer((s) => s.end('220 plain text here\r\n')));
}

/** A TCP server that accepts and then says nothing: a handshake that can only time out. */
export async function startSilentTcp(): Promise<{ port: number; stop(): Promise<void> }> {
  const held = new Set<net.Socket>();
  const server = net.createServer((s) => {
    held.add(s);
    s.on('close', () => held.delete(s));
  });
  const served = await listen(server);
  return {
    port: served.port,
    stop: async () => {
      for (const s of held) s.destroy();
      await served.stop();
    },
  };
}
