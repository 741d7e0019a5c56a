// Directory destination: the certificate's files in a directory on the Tarsier host, each replaced atomically
// (written to a temporary file in the same directory, flushed, then renamed over the old one, so a web server
// never reads half a key), then an optional command (e.g. `nginx -s reload`) whose exit status and output are kept.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { type Static, Type } from 'typebox';
import {
  certificateFileName,
  checkLayout,
  type FileToWrite,
  LayoutOptions,
  LayoutSecrets,
  renderFiles,
  tail,
} from '../layout.ts';
import { DestinationConfigError, type DestinationPlugin } from '../plugin.ts';

const Options = Type.Object(
  { path: Type.String({ minLength: 1, description: 'absolute directory on the Tarsier host' }), ...LayoutOptions },
  { additionalProperties: false },
);
const Secrets = Type.Object(LayoutSecrets, { additionalProperties: false });
type Opts = Static<typeof Options>;

async function writeAtomically(dir: string, file: FileToWrite): Promise<void> {
  const target = path.join(dir, file.name);
  const tmp = path.join(dir, `.${file.name}.tarsier-${randomBytes(6).toString('hex')}`);
  const handle = await fs.open(tmp, 'wx', file.mode);
  try {
    await handle.writeFile(file.content);
    await handle.chmod(file.mode); // the umask may have narrowed or the file be group-readable by default
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** Runs `command` through sh in `cwd`; resolves with exit status (null when killed) and combined output. */
export function runCommand(
  command: string,
  cwd: string,
  timeoutSeconds: number,
): Promise<{ exitCode: number | null; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn('sh', ['-c', command], {
      cwd,
      timeout: timeoutSeconds * 1000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (e) => resolve({ exitCode: null, output: `${output}${e.message}` }));
    child.on('close', (code, signal) =>
      resolve({
        exitCode: code,
        output: tail(signal ? `${output}\n(killed by ${signal} after ${timeoutSeconds} s)` : output),
      }),
    );
  });
}

function checkedWebPath(o: Opts, relPath: string): string {
  if (!o.webRoot) throw new DestinationConfigError('options.webRoot', 'is required to place ACME HTTP-01 tokens');
  return path.join(o.webRoot, relPath);
}

export const directoryDestination: DestinationPlugin<Opts, Static<typeof Secrets>> = {
  type: 'directory',
  title: 'Directory',
  description: 'Files in a directory on the Tarsier host, replaced atomically, then an optional command',
  options: Options,
  secrets: Secrets,
  takesKey: () => true,

  validate({ options, secrets }) {
    if (!path.isAbsolute(options.path))
      throw new DestinationConfigError('options.path', 'must be an absolute directory');
    if (options.webRoot && !path.isAbsolute(options.webRoot))
      throw new DestinationConfigError('options.webRoot', 'must be an absolute directory');
    checkLayout(options, secrets);
  },

  async deploy(bundle, { options, secrets }) {
    for (const file of renderFiles(bundle, options, secrets)) await writeAtomically(options.path, file);
    const location = path.join(options.path, certificateFileName(options, bundle));
    if (!options.command) return { location, ok: true };
    const run = await runCommand(options.command, options.path, options.commandTimeoutSeconds ?? 60);
    return { location, ok: run.exitCode === 0, exitCode: run.exitCode, output: run.output };
  },

  async test({ options }) {
    const st = await fs.stat(options.path).catch(() => undefined);
    if (!st?.isDirectory()) throw new Error(`${options.path} is not a directory`);
    await fs.access(options.path, fs.constants.W_OK).catch(() => {
      throw new Error(`${options.path} is not writable by the Tarsier process`);
    });
    return `${options.path} is a writable directory`;
  },

  async current(names, { options }) {
    if ((options.layout ?? 'split') === 'pkcs12') return undefined;
    return fs.readFile(path.join(options.path, certificateFileName(options, names)), 'utf8').catch(() => undefined);
  },

  async putWebFile(relPath, content, { options }) {
    const file = checkedWebPath(options, relPath);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeAtomically(path.dirname(file), {
      name: path.basename(file),
      content: Buffer.from(content),
      mode: 0o644,
    });
  },

  async removeWebFile(relPath, { options }) {
    await fs.rm(checkedWebPath(options, relPath), { force: true });
  },
};
