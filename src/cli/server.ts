// Server-side commands: serve, migrate, keys generate|rotate. They read the configuration and talk to the
// database directly; everything else in the CLI goes through the API.
// The server stack is imported inside the actions, so that client commands start without loading it.
import os from 'node:os';
import type { Command } from 'commander';
import { loadServerConfig, type ServerConfig } from '../config.ts';

interface ServerFlags {
  host?: string;
  port?: string;
  dataDir?: string;
}

function config(flags: ServerFlags): ServerConfig {
  return loadServerConfig({ host: flags.host, port: flags.port, dataDir: flags.dataDir });
}

/** The clock every service reads: real time, shifted by TARSIER_CLOCK_OFFSET_SECONDS (drills and tests). */
export const clockOf = (cfg: Pick<ServerConfig, 'clockOffsetSeconds'>) => () =>
  new Date(Date.now() + cfg.clockOffsetSeconds * 1000);

/**
 * Starts the API (`api`) or only the public revocation endpoints (`revocation`, for `tarsier ocsp`); resolves
 * with a stop function once it listens.
 */
export async function startServer(
  cfg: ServerConfig,
  print: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  mode: 'api' | 'revocation' = 'api',
) {
  const { createServices } = await import('../services.ts');
  const { buildApp, buildRevocationApp } = await import('../http/app.ts');
  const services = await createServices(cfg, clockOf(cfg));
  const admin = await services.identity.bootstrapAdmin(cfg.adminPassword);
  if (admin.generatedPassword) {
    print(`Created user 'admin' with password: ${admin.generatedPassword}`);
    print('It is shown only this once. Set TARSIER_ADMIN_PASSWORD to choose it yourself on a fresh database.');
  }
  const app = await (mode === 'api' ? buildApp : buildRevocationApp)(services, { logLevel: cfg.logLevel });
  const address = await app.listen({ host: cfg.host, port: cfg.port });
  // OIDC redirects need the address users reach us at, known only now when the port was 0.
  services.oidc?.setBaseUrl(cfg.publicUrl || address);
  services.deployments.setBaseUrl(cfg.publicUrl || address);
  const what = mode === 'api' ? 'Tarsier' : 'Tarsier OCSP and CRL responder';
  print(
    `${what} listening on ${address} (database: ${cfg.database.kind === 'sqlite' ? cfg.database.file : 'postgresql'})`,
  );
  // The public revocation responder runs no jobs; `serve` runs them unless TARSIER_JOBS=off (then workers do).
  if (mode === 'api') await services.scheduler.start({ work: cfg.jobs.enabled });
  return {
    address,
    services,
    app,
    async stop() {
      await services.scheduler.stop();
      // Source runs in progress record where they stopped while the database is still open.
      await services.sources.stop();
      await app.close();
      await services.close();
    },
  };
}

/** `tarsier worker`: the background jobs without the API, for running them on more (or other) machines. */
export async function startWorker(
  cfg: ServerConfig,
  print: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
) {
  const { createServices } = await import('../services.ts');
  const services = await createServices(cfg, clockOf(cfg));
  await services.scheduler.start({ work: true });
  print(`Tarsier worker running ${services.jobRegistry.all().length} jobs (database: ${cfg.database.kind})`);
  return {
    services,
    async stop() {
      await services.scheduler.stop();
      await services.sources.stop();
      await services.close();
    },
  };
}

/** Keeps a server running until SIGINT or SIGTERM, then stops it cleanly. */
function untilSignal(server: { stop(): Promise<void> }): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => void server.stop().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export function registerServerCommands(program: Command): void {
  const withServerFlags = (c: Command) =>
    c
      .option('--host <address>', 'listen address (TARSIER_HOST, default 127.0.0.1)')
      .option('--port <port>', 'listen port (TARSIER_PORT, default 8420)')
      .option('--data-dir <dir>', 'data directory (TARSIER_DATA_DIR, default ./data)');

  withServerFlags(program.command('serve').description('run the API server (migrates the database first)')).action(
    async (flags: ServerFlags) => {
      const server = await startServer(config(flags));
      await untilSignal(server);
    },
  );

  withServerFlags(
    program.command('worker').description('run the background jobs only (several may share one PostgreSQL database)'),
  ).action(async (flags: ServerFlags) => {
    const worker = await startWorker(config(flags));
    await untilSignal(worker);
  });

  withServerFlags(
    program.command('ocsp').description('serve only the public OCSP responder and CRLs (run several for scale)'),
  ).action(async (flags: ServerFlags) => {
    const server = await startServer(config(flags), undefined, 'revocation');
    await untilSignal(server);
  });

  withServerFlags(program.command('migrate').description('apply pending database migrations and exit')).action(
    async (flags: ServerFlags) => {
      const { migrateToLatest, openDatabase } = await import('../db/index.ts');
      const open = openDatabase(config(flags));
      try {
        const applied = await migrateToLatest(open);
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'the database is up to date\n');
      } finally {
        await open.close();
      }
    },
  );

  const keys = program.command('keys').description('master keys that protect stored private keys');
  withServerFlags(
    keys.command('generate').description('add a new master key to <data-dir>/master-keys (then run keys rotate)'),
  ).action(async (flags: ServerFlags) => {
    const { appendMasterKey } = await import('../crypto/envelope.ts');
    const { masterKeysFile } = await import('../services.ts');
    const key = appendMasterKey(masterKeysFile(config(flags)));
    process.stdout.write(`added master key ${key.id}; run 'tarsier keys rotate' to re-wrap stored keys under it\n`);
  });
  withServerFlags(
    keys.command('rotate').description('re-wrap every stored private key under the newest master key'),
  ).action(async (flags: ServerFlags) => {
    const { createServices } = await import('../services.ts');
    const services = await createServices(config(flags));
    try {
      const { rewrapped, masterKeyId } = await services.keys.rotate(services.db);
      await services.audit.record(services.db, {
        actor: `system:${os.userInfo().username}@${os.hostname()}`,
        action: 'keys.rotate',
        outcome: 'success',
        details: { rewrapped, masterKeyId },
      });
      process.stdout.write(`re-wrapped ${rewrapped} key(s) under master key ${masterKeyId}\n`);
    } finally {
      await services.close();
    }
  });
}
