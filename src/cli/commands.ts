// The client commands: one noun per file (login, authority, cert, audit, user, role, api-key, domain, request,
// issuer, pending),
// each a client of the REST API through client.ts. index.ts registers them next to the server commands.
import type { Command } from 'commander';
import { registerApiKeyCommands } from './api-key.ts';
import { registerAuditCommands } from './audit.ts';
import { registerAuthorityCommands } from './authority.ts';
import { registerCertificateCommands } from './cert.ts';
import { registerDestinationCommands } from './destination.ts';
import { registerDomainCommands } from './domain.ts';
import { registerEndpointCommands } from './endpoint.ts';
import { registerIssuerCommands } from './issuer.ts';
import { registerJobCommands } from './job.ts';
import { registerLoginCommand } from './login.ts';
import { registerNotificationCommands } from './notification.ts';
import { registerPendingCommands } from './pending.ts';
import { registerRequestCommands } from './request.ts';
import { registerRoleCommands } from './role.ts';
import { registerSourceCommands } from './source.ts';
import { registerUserCommands } from './user.ts';

export function registerClientCommands(program: Command): void {
  registerLoginCommand(program);
  registerAuthorityCommands(program);
  registerCertificateCommands(program);
  registerAuditCommands(program);
  registerUserCommands(program);
  registerRoleCommands(program);
  registerApiKeyCommands(program);
  registerDomainCommands(program);
  registerRequestCommands(program);
  registerIssuerCommands(program);
  registerPendingCommands(program);
  registerDestinationCommands(program);
  registerSourceCommands(program);
  registerEndpointCommands(program);
  registerJobCommands(program);
  registerNotificationCommands(program);
}
