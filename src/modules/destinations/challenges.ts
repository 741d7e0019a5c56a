// ACME HTTP-01 for names served elsewhere: the token goes out as a file, .well-known/acme-challenge/<token> under a
// destination's web root (a directory or SFTP destination), where the web server for those names serves it, and
// is removed afterwards. The issuer plugin sees only a ChallengeResponder.
import { NotFoundError } from '../../errors.ts';
import { type ChallengeResponder, IssuerConfigError } from '../issuers/plugin.ts';
import type { DestinationService } from './service.ts';

const TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

export function createDestinationChallenges(
  destinations: Pick<DestinationService, 'row' | 'configOf' | 'contextFor' | 'pluginOf'>,
) {
  /** The responder for destination `id`; throws IssuerConfigError naming `field` when it cannot serve tokens. */
  return async (id: number, field: string): Promise<ChallengeResponder> => {
    const row = await destinations.row(id).catch((e) => {
      throw e instanceof NotFoundError ? new IssuerConfigError(field, `destination ${id} does not exist`) : e;
    });
    const plugin = destinations.pluginOf(row);
    const { putWebFile, removeWebFile } = plugin;
    if (!putWebFile || !removeWebFile)
      throw new IssuerConfigError(field, `destination '${row.name}' (${plugin.title}) cannot place HTTP-01 files`);
    const config = await destinations.configOf(row);
    if (!config.options.webRoot) throw new IssuerConfigError(field, `destination '${row.name}' has no options.webRoot`);
    const ctx = destinations.contextFor(row);
    const file = (token: string) => {
      if (!TOKEN.test(token)) throw new Error(`'${token}' is not an ACME token`);
      return `.well-known/acme-challenge/${token}`;
    };
    return {
      publish: (token, keyAuthorization) => putWebFile(file(token), keyAuthorization, config, ctx),
      withdraw: (token) => removeWebFile(file(token), config, ctx),
    };
  };
}
