// The settings every SSH-based plugin asks for (SFTP destinations, the directory source over SFTP): one schema and
// one check, so both read the same fields, pin the host key the same way and keep the same credentials secret.
import { Type } from 'typebox';
import type { SshTarget } from './ssh.ts';

export const SshOptions = {
  host: Type.String({ minLength: 1, maxLength: 253, description: 'SSH server name or address' }),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'default 22' })),
  username: Type.String({ minLength: 1, maxLength: 64 }),
  hostKey: Type.String({
    minLength: 8,
    description: "the server's host key, pinned: SHA256:… as ssh-keygen -lf prints it, or the public key line",
  }),
};

export const SshSecrets = {
  password: Type.Optional(Type.String({ minLength: 1 })),
  privateKey: Type.Optional(Type.String({ minLength: 1, description: 'OpenSSH or PEM private key' })),
  passphrase: Type.Optional(Type.String({ minLength: 1, description: 'of the private key' })),
};

interface SshSettings {
  options: { host: string; port?: number; username: string; hostKey: string };
  secrets: { password?: string; privateKey?: string; passphrase?: string };
}

/** The field that is missing, and what to give, when neither a password nor a key is set; undefined when fine. */
export function missingSshCredential({ secrets }: SshSettings): string | undefined {
  return secrets.password || secrets.privateKey ? undefined : 'give secrets.password or secrets.privateKey';
}

export const sshTargetOf = ({ options: o, secrets: s }: SshSettings): SshTarget => ({
  host: o.host,
  port: o.port,
  username: o.username,
  hostKey: o.hostKey,
  password: s.password,
  privateKey: s.privateKey,
  passphrase: s.passphrase,
});
