// `tarsier role list|create|delete`: the built-in roles (admin, operator, user, security) and team roles, through
// /api/v1/roles. A team role carries no rights of its own: its members own the team's certificates. A role is
// named by id or by name.
import type { Command } from 'commander';
import { type ClientFlags, connect, withClientOptions } from './client.ts';
import { defined, idOrName, resolveId } from './options.ts';
import { print, printFields, printJson, printTable } from './output.ts';

/** A role as the API sends it. */
interface Role {
  id: number;
  name: string;
  description: string | null;
  builtin: boolean;
  members: Array<{ id: number; username: string }>;
}

const kind = (r: Role) => (r.builtin ? 'built-in' : 'team');

export function registerRoleCommands(program: Command): void {
  const role = program.command('role').description('roles: built-in ones grant rights, team roles own certificates');

  withClientOptions(role.command('list').description('list the roles and their members')).action(
    async (flags: ClientFlags) => {
      const { body } = await connect(flags).json<{ items: Role[] }>('GET', '/api/v1/roles');
      if (flags.json) printJson(body);
      else
        printTable(
          ['ID', 'NAME', 'KIND', 'MEMBERS', 'DESCRIPTION'],
          body.items.map((r) => [r.id, r.name, kind(r), r.members.map((m) => m.username).join(','), r.description]),
        );
    },
  );

  withClientOptions(
    role
      .command('create')
      .description('create a team role')
      .argument('<name>', 'lower-case letters, digits, dots, dashes or underscores, e.g. team-payments')
      .option('--description <text>', 'free text'),
  ).action(async (name: string, flags: ClientFlags & { description?: string }) => {
    const { body } = await connect(flags).json<Role>('POST', '/api/v1/roles', {
      body: defined({ name, description: flags.description }),
    });
    if (flags.json) printJson(body);
    else {
      print(`created role ${body.id}`);
      printFields([
        ['ID', body.id],
        ['Name', body.name],
        ['Kind', kind(body)],
        ['Description', body.description],
      ]);
    }
  });

  withClientOptions(
    role
      .command('delete')
      .description('delete a team role (its members lose it; certificates it owns keep the name)')
      .argument('<role>', 'role id or name', idOrName),
  ).action(async (ref: number | string, flags: ClientFlags) => {
    const client = connect(flags);
    const { id, item } = await resolveId<Role>(client, ref, {
      path: '/api/v1/roles',
      kind: 'role',
      name: (r) => r.name,
      hint: 'tarsier role list',
    });
    await client.bytes('DELETE', `/api/v1/roles/${id}`);
    if (flags.json) printJson({ id, name: item?.name, deleted: true });
    else print(`deleted role ${id}${item ? ` (${item.name})` : ''}`);
  });
}
