// `tarsier whoami` and `tarsier user list|show|create|update|passwd`: who the token belongs to, and the local
// accounts with their roles, through /api/v1/auth and /api/v1/users. Passwords come from standard input (or,
// less safely, a flag) and are never printed. A user is named by id or by username.
import type { Command } from 'commander';
import { type ApiClient, type ClientFlags, connect, withClientOptions } from './client.ts';
import { defined, idOrName, list, passwordFrom, readStdin, resolveId } from './options.ts';
import { formatDate, formatTime, print, printFields, printJson, printTable } from './output.ts';

/** The fields of a user the CLI prints; --json shows all of it. */
interface User {
  id: number;
  username: string;
  email: string | null;
  displayName: string | null;
  source: string;
  roles: string[];
  disabled: boolean;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  createdAt: string;
}

interface Me {
  id: number;
  username: string;
  roles: string[];
  permissions: string[];
  apiKeyId: number | null;
}

interface PasswordFlags {
  password?: string;
  passwordStdin?: boolean;
}

interface CreateFlags extends ClientFlags, PasswordFlags {
  username: string;
  email?: string;
  name?: string;
  role?: string[];
}

interface UpdateFlags extends ClientFlags, PasswordFlags {
  role?: string[];
  addRole?: string[];
  removeRole?: string[];
  email?: string;
  name?: string;
  disable?: boolean;
  enable?: boolean;
}

function status(u: User): string {
  if (u.disabled) return 'disabled';
  if (u.lockedUntil && Date.parse(u.lockedUntil) > Date.now()) return `locked until ${formatTime(u.lockedUntil)}`;
  return 'active';
}

function printUser(u: User): void {
  printFields([
    ['ID', u.id],
    ['Username', u.username],
    ['Name', u.displayName],
    ['E-mail', u.email],
    ['Source', u.source],
    ['Roles', u.roles],
    ['Status', status(u)],
    ['Last login', formatTime(u.lastLoginAt)],
    ['Created', formatTime(u.createdAt)],
  ]);
}

function report(flags: ClientFlags, u: User, headline: string): void {
  if (flags.json) {
    printJson(u);
    return;
  }
  print(headline);
  printUser(u);
}

const resolveUser = (client: ApiClient, ref: number | string) =>
  resolveId<User>(client, ref, {
    path: '/api/v1/users',
    kind: 'user',
    name: (u) => u.username,
    hint: 'tarsier user list',
  });

async function whoami(flags: ClientFlags): Promise<void> {
  const client = connect(flags);
  const { body } = await client.json<Me>('GET', '/api/v1/auth/me');
  if (flags.json) {
    printJson(body);
    return;
  }
  printFields([
    ['Username', body.username],
    ['User ID', body.id],
    ['Signed in with', body.apiKeyId ? `API key ${body.apiKeyId}` : 'a session token'],
    ['Server', client.url],
    ['Roles', body.roles],
    ['Permissions', body.permissions],
  ]);
}

async function createUser(flags: CreateFlags): Promise<void> {
  const password = await passwordFrom(flags);
  if (password === undefined)
    throw new Error('give the password on standard input with --password-stdin (or, less safely, with --password)');
  const body = defined({
    username: flags.username,
    password,
    email: flags.email,
    displayName: flags.name,
    roles: flags.role,
  });
  const reply = await connect(flags).json<User>('POST', '/api/v1/users', { body });
  report(flags, reply.body, `created user ${reply.body.id}`);
}

/** --role replaces the roles; --add-role and --remove-role change them, starting from --role or the current ones. */
async function newRoles(flags: UpdateFlags, current: () => Promise<string[]>): Promise<string[] | undefined> {
  if (!flags.addRole && !flags.removeRole) return flags.role;
  const base = flags.role ?? (await current());
  const removed = new Set(flags.removeRole ?? []);
  return [...new Set([...base, ...(flags.addRole ?? [])])].filter((r) => !removed.has(r));
}

async function updateUser(ref: number | string, flags: UpdateFlags): Promise<void> {
  if (flags.disable && flags.enable) throw new Error('give --disable or --enable, not both');
  const client = connect(flags);
  const { id, item } = await resolveUser(client, ref);
  const roles = await newRoles(
    flags,
    async () => item?.roles ?? (await client.json<User>('GET', `/api/v1/users/${id}`)).body.roles,
  );
  const body = defined({
    password: await passwordFrom(flags),
    email: flags.email,
    displayName: flags.name,
    roles,
    disabled: flags.disable ? true : flags.enable ? false : undefined,
  });
  if (Object.keys(body).length === 0)
    throw new Error(
      'nothing to change: give --role, --add-role, --remove-role, --email, --name, --disable, --enable or --password-stdin',
    );
  const reply = await client.json<User>('PATCH', `/api/v1/users/${id}`, { body });
  const ended = body.password !== undefined || body.disabled ? " (the user's sessions were signed out)" : '';
  report(flags, reply.body, `updated user ${id}${ended}`);
}

/** Two lines on standard input, the current password then the new one: nothing reaches the shell history. */
async function changeOwnPassword(flags: ClientFlags): Promise<void> {
  if (process.stdin.isTTY)
    throw new Error(
      'pipe the current and the new password on standard input, one per line, e.g. from a password manager or `printf \'%s\\n%s\\n\' "$OLD" "$NEW" | tarsier user passwd`',
    );
  const [currentPassword, newPassword] = (await readStdin()).split(/\r?\n/);
  if (!currentPassword || !newPassword)
    throw new Error('expected two lines on standard input: the current password, then the new one');
  await connect(flags).bytes('POST', '/api/v1/auth/password', { body: { currentPassword, newPassword } });
  if (flags.json) printJson({ passwordChanged: true });
  else print('password changed');
}

const withPassword = (c: Command, what: string) =>
  c
    .option('--password-stdin', `read ${what} from standard input`)
    .option('--password <password>', `${what} (visible in the process list; prefer --password-stdin)`);

export function registerUserCommands(program: Command): void {
  withClientOptions(program.command('whoami').description('show who the token belongs to: user, roles, rights')).action(
    whoami,
  );

  const user = program.command('user').description('local user accounts and their roles');

  withClientOptions(user.command('list').description('list the users')).action(async (flags: ClientFlags) => {
    const { body } = await connect(flags).json<{ items: User[] }>('GET', '/api/v1/users');
    if (flags.json) printJson(body);
    else
      printTable(
        ['ID', 'USERNAME', 'NAME', 'SOURCE', 'ROLES', 'STATUS', 'LAST LOGIN'],
        body.items.map((u) => [
          u.id,
          u.username,
          u.displayName,
          u.source,
          u.roles.join(','),
          status(u),
          formatDate(u.lastLoginAt),
        ]),
      );
  });

  withClientOptions(
    user.command('show').description('show one user').argument('<user>', 'user id or username', idOrName),
  ).action(async (ref: number | string, flags: ClientFlags) => {
    const client = connect(flags);
    const { id } = await resolveUser(client, ref);
    const { body } = await client.json<User>('GET', `/api/v1/users/${id}`);
    if (flags.json) printJson(body);
    else printUser(body);
  });

  withClientOptions(
    withPassword(
      user
        .command('create')
        .description('create a local user (the password needs 12 characters or more)')
        .requiredOption('--username <name>', 'letters, digits, dots, dashes, underscores or @')
        .option('--email <address>', 'e-mail address')
        .option('--name <name>', 'display name')
        .option('--role <roles>', 'a role (admin, operator, user, security or a team); comma list, repeatable', list),
      'the password',
    ),
  ).action(createUser);

  withClientOptions(
    withPassword(
      user
        .command('update')
        .description("change a user's roles, e-mail, name or status, or reset their password")
        .argument('<user>', 'user id or username', idOrName)
        .option('--role <roles>', 'the roles, replacing the current ones; comma list, repeatable', list)
        .option('--add-role <roles>', 'add these roles; comma list, repeatable', list)
        .option('--remove-role <roles>', 'remove these roles; comma list, repeatable', list)
        .option('--email <address>', 'e-mail address')
        .option('--name <name>', 'display name')
        .option('--disable', 'refuse their sign-ins and end their sessions')
        .option('--enable', 'allow their sign-ins again'),
      'a new password',
    ),
  ).action(updateUser);

  withClientOptions(
    user
      .command('passwd')
      .description('change your own password: standard input holds the current one, then the new one, a line each'),
  ).action(changeOwnPassword);
}
