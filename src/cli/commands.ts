// The client commands: one noun per file (login, authority, cert), each a client of the REST API through
// client.ts. index.ts registers them next to the server commands.
import type { Command } from 'commander';
import { registerAuditCommands } from './audit.ts';
import { registerAuthorityCommands } from './authority.ts';
import { registerCertificateCommands } from './cert.ts';
import { registerLoginCommand } from './login.ts';

export function registerClientCommands(program: Command): void {
  registerLoginCommand(program);
  registerAuthorityCommands(program);
  registerCertificateCommands(program);
  registerAuditCommands(program);
}
