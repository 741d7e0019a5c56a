// SFTP destination: the same files as the directory destination, on a remote host over SSH (key or password,
// pinned host key), each written to a temporary name with its final mode and renamed over the old one, then an
// optional remote command. The connection is src/net/ssh.ts, which the directory source shares.

import { randomBytes } from 'node:crypto';
import path from 'node:path/posix';
import { type Static, Type } from 'typebox';
import { openSsh, type SshSession } from '../../../net/ssh.ts';
import { missingSshCredential, SshOptions, SshSecrets, sshTargetOf } from '../../../net/ssh-settings.ts';
import { certificateFileName, checkLayout, LayoutOptions, LayoutSecrets, renderFiles, tail } from '../layout.ts';
import {
  type DestinationConfig,
  DestinationConfigError,
  type DestinationContext,
  type DestinationPlugin,
} from '../plugin.ts';

const Options = Type.Object(
  {
    ...SshOptions,
    path: Type.String({ minLength: 1, description: 'absolute directory on the remote host' }),
    ...LayoutOptions,
  },
  { additionalProperties: false },
);
const Secrets = Type.Object(
  {
    ...SshSecrets,
    ...LayoutSecrets,
  },
  { additionalProperties: false },
);
type Opts = Static<typeof Options>;
type Secs = Static<typeof Secrets>;

async function withSession<T>(
  config: DestinationConfig<Opts, Secs>,
  ctx: DestinationContext,
  fn: (s: SshSession) => Promise<T>,
): Promise<T> {
  const session = await openSsh(ctx.outbound, sshTargetOf(config));
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
    const missing = missingSshCredential({ options, secrets });
    if (missing) throw new DestinationConfigError('secrets', missing);
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
