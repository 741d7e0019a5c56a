// `tarsier login`: trades a username and password for a token and saves it (mode 0600) in the token file, where
// later commands find it when neither --token nor TARSIER_TOKEN is given. The password comes from standard
// input (--password-stdin) so it stays out of the shell history and the process list.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadClientConfig } from '../config.ts';
import { type ClientFlags, connect } from './client.ts';
import { passwordFrom } from './options.ts';
import { print, printJson, writeFile } from './output.ts';

interface LoginFlags extends ClientFlags {
  username: string;
  password?: string;
  passwordStdin?: boolean;
}

async function password(flags: LoginFlags): Promise<string> {
  const given = await passwordFrom(flags);
  if (given === undefined) {
    throw new Error('give the password on standard input with --password-stdin (or, less safely, with --password)');
  }
  return given;
}

function saveToken(file: string, token: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFile(file, `${token}\n`, { secret: true });
}

export function registerLoginCommand(program: Command): void {
  program
    .command('login')
    .description('sign in and save the token where later commands find it')
    .option('--username <name>', 'user to sign in as', 'admin')
    .option('--password-stdin', 'read the password from standard input')
    .option('--password <password>', 'the password (visible in the process list; prefer --password-stdin)')
    .option('--url <url>', 'Tarsier server (TARSIER_URL, default http://127.0.0.1:8420)')
    .option('--json', 'print the result as JSON (without the token)')
    .action(async (flags: LoginFlags) => {
      const secret = await password(flags);
      const client = connect(flags, { anonymous: true });
      const { body } = await client.json<{ token: string; expiresAt: string }>('POST', '/api/v1/auth/login', {
        body: { username: flags.username, password: secret },
      });
      const { tokenFile } = loadClientConfig({ url: flags.url });
      saveToken(tokenFile, body.token);
      if (flags.json) printJson({ url: client.url, username: flags.username, expiresAt: body.expiresAt, tokenFile });
      else
        print(
          `logged in to ${client.url} as ${flags.username}; token saved to ${tokenFile} (expires ${body.expiresAt})`,
        );
    });
}
