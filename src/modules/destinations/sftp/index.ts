// SFTP destination: the same files as the directory destination, on a remote host over SSH (key or password,
// pinned host key), each written to a temporary name with its final mode and renamed over the old one, then an
// optional remote command. The connection is src/net/ssh.ts, which the directory source shares.

import { randomBytes } from 'node:crypto';
import path from 'node:path/posix';
import { type Static, Type } from 'typebox';
import { openSsh, type SshSession, type SshTarget } from '../../../net/ssh.ts';
import { certificateFileName, checkLayout, LayoutOptions, LayoutSecrets, renderFiles, tail } from '../layout.ts';
import {
  type DestinationConfig,
  DestinationConfigError,
  type DestinationContext,
  type DestinationPlugin,
} from '../plugin.ts';

const Options = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 253, description: 'SSH server name or address' }),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'default 22' })),
    username: Type.String({ minLength: 1, maxLength: 64 }),
    hostKey: Type.String({
      minLength: 8,
      description: "the server's host key, pinned: SHA256:… as ssh-keygen -lf prints it, or the public key line",
    }),
    path: Type.String({ minLength: 1, description: 'absolute directory on the remote host' }),
    ...LayoutOptions,
  },
  { additionalProperties: false },
);
const Secrets = Type.Object(
  {
    password: Type.Optional(Type.String({ minLength: 1 })),
    privateKey: Type.Optional(Type.String({ minLength: 1, description: 'OpenSSH or PEM private key' })),
    passphrase: Type.Optional(Type.String({ minLength: 1, description: 'of the private key' })),
    ...LayoutSecrets,
  },
  { additionalProperties: false },
);
type Opts = Static<typeof Options>;
type Secs = Static<typeof Secrets>;

const targetOf = ({ options: o, secrets: s }: DestinationConfig<Opts, Secs>): SshTarget => ({
  host: o.host,
  port: o.port,
  username: o.username,
  hostKey: o.hostKey,
  password: s.password,
  privateKey: s.privateKey,
  passphrase: s.passphrase,
});

async function withSession<T>(
  config: DestinationConfig<Opts, Secs>,
  ctx: DestinationContext,
  fn: (s: SshSession) => Promise<T>,
): Promise<T> {
  const session = await openSsh(ctx.outbound, targetOf(config));
  try {
    return await fn(session);
  } finally {
    session.close();
  }
}

async function putAtomically(s: SshSession, dir: string, name: string, content: Buffer, mode: number): Promise<void> {
  const tmp = path.join(dir, `.${name}.tarsier-${randomBytes(6).toString('hex')}`);
  await s.write(tmp, content, mode);
  try {
    await s.rename(tmp, path.join(dir, name));
  } catch (e) {
    await s.remove(tmp).catch(() => undefined);
    throw e;
  }
}

const where = (o: Opts, p: string) => `sftp://${o.host}:${o.port ?? 22}${p}`;

function webPath(o: Opts, relPath: string): string {
  if (!o.webRoot) throw new DestinationConfigError('options.webRoot', 'is required to place ACME HTTP-01 tokens');
  return path.join(o.webRoot, relPath);
}

export const sftpDestination: DestinationPlugin<Opts, Secs> = {
  type: 'sftp',
  title: 'SFTP/SSH',
  description: 'Files on a remote host over SFTP (key or password, pinned host key), then an optional remote command',
  options: Options,
  secrets: Secrets,
  takesKey: () => true,

  validate({ options, secrets }) {
    if (!options.path.startsWith('/'))
      throw new DestinationConfigError('options.path', 'must be an absolute directory');
    if (!secrets.password && !secrets.privateKey)
      throw new DestinationConfigError('secrets', 'give secrets.password or secrets.privateKey');
    checkLayout(options, secrets);
  },

  deploy: (bundle, config, ctx) =>
    withSession(config, ctx, async (s) => {
      const o = config.options;
      for (const f of renderFiles(bundle, o, config.secrets)) await putAtomically(s, o.path, f.name, f.content, f.mode);
      const location = where(o, path.join(o.path, certificateFileName(o, bundle)));
      if (!o.command) return { location, ok: true };
      const run = await s.exec(o.command, (o.commandTimeoutSeconds ?? 60) * 1000);
      return { location, ok: run.exitCode === 0, exitCode: run.exitCode, output: tail(run.output) };
    }),

  test: (config, ctx) =>
    withSession(config, ctx, async (s) => {
      await s.list(config.options.path);
      return `logged in to ${config.options.host} as ${config.options.username}; ${config.options.path} is readable`;
    }),

  current: (names, config, ctx) =>
    withSession(config, ctx, async (s) =>
      (config.options.layout ?? 'split') === 'pkcs12'
        ? undefined
        : (
            await s
              .read(path.join(config.options.path, certificateFileName(config.options, names)))
              .catch(() => undefined)
          )?.toString(),
    ),

  putWebFile: (relPath, content, config, ctx) =>
    withSession(config, ctx, async (s) => {
      const file = webPath(config.options, relPath);
      await s.mkdirp(path.dirname(file));
      await putAtomically(s, path.dirname(file), path.basename(file), Buffer.from(content), 0o644);
    }),

  removeWebFile: (relPath, config, ctx) =>
    withSession(config, ctx, (s) => s.remove(webPath(config.options, relPath)).catch(() => undefined)),
};
