// The directory source over SFTP: the same walk and file handling as the local directory source, on a remote
// host reached through the outbound guard with a pinned host key (src/net/ssh.ts, shared with SFTP destinations).
// Failing to connect or log in fails the run with the reason; a file that cannot be read is an item error.
import { openSsh } from '../../../net/ssh.ts';
import { missingSshCredential, SshOptions, SshSecrets, sshTargetOf } from '../../../net/ssh-settings.ts';
import { createDirectorySource } from '../directory/index.ts';
import { SourceConfigError } from '../plugin.ts';

type Settings = Parameters<typeof sshTargetOf>[0];

export const sftpSource = createDirectorySource({
  type: 'sftp',
  title: 'Directory on a remote host over SFTP',
  extra: { options: SshOptions, secrets: SshSecrets },
  validate(config) {
    const missing = missingSshCredential(config as unknown as Settings);
    if (missing) throw new SourceConfigError('secrets', missing);
  },
  async treeFor(config, ctx) {
    const o = config as unknown as Settings;
    const session = await openSsh(ctx.outbound, sshTargetOf(o));
    return {
      name: `sftp://${o.options.username}@${o.options.host}:${o.options.port ?? 22}`,
      list: (dir) => session.list(dir),
      read: (file) => session.read(file),
      close: async () => session.close(),
    };
  },
});
