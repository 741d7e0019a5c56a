// The `tarsier` command: server commands (serve, migrate, keys) run in this process against the database; every
// other noun is a client of the REST API. Errors print one clear line and exit non-zero.
import { Command, CommanderError } from 'commander';
import { TarsierError } from '../errors.ts';
import { ApiError } from './client.ts';
import { registerClientCommands } from './commands.ts';
import { registerServerCommands } from './server.ts';

export async function runCli(argv: string[]): Promise<number> {
  const program = new Command('tarsier')
    .description('Tarsier: certificate orchestration (internal CAs, issuance, inventory, encrypted key store)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerServerCommands(program);
  registerClientCommands(program);
  try {
    await program.parseAsync(argv);
    // A command that reports a failure without throwing (issuer check, destination deploy) sets exitCode.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : e.exitCode || 2;
    if (e instanceof ApiError || e instanceof TarsierError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
