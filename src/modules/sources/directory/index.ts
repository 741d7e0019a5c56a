// The directory source: walks directories of a file tree (the Tarsier host's disk, or a remote host over SFTP:
// ../sftp) and reports each certificate file: PEM (with or without its key), DER, PKCS#7 and PKCS#12 tried with
// the configured passwords. A file that cannot be read or opened is an item with an error; the walk goes on.
import path from 'node:path';
import { type Static, type TProperties, Type } from 'typebox';
import { readPkcs12 } from '../../../crypto/pkcs12.ts';
import { ValidationError } from '../../../errors.ts';
import type { FileTree, FoundItem, Material, SourceConfig, SourceContext, SourcePlugin } from '../plugin.ts';
import { SourceConfigError } from '../plugin.ts';
import { localFileTree } from './local-tree.ts';

const EXTENSIONS = ['.pem', '.crt', '.cer', '.cert', '.der', '.p7b', '.p7c', '.p12', '.pfx'];
const PKCS12 = new Set(['.p12', '.pfx']);
const CERT_PEM = /-----BEGIN (CERTIFICATE|TRUSTED CERTIFICATE|PKCS7)-----/;

const Options = Type.Object(
  {
    paths: Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), {
      minItems: 1,
      maxItems: 100,
      description: 'absolute directories to scan',
    }),
    recursive: Type.Optional(Type.Boolean({ description: 'descend into subdirectories (default true)' })),
    extensions: Type.Optional(
      Type.Array(Type.String({ pattern: '^\\.[A-Za-z0-9]{1,10}$' }), {
        maxItems: 50,
        description: `file name endings to read (default ${EXTENSIONS.join(' ')})`,
      }),
    ),
    maxFileBytes: Type.Optional(
      Type.Integer({ minimum: 1024, maximum: 10_000_000, description: 'larger files are skipped (default 1 MB)' }),
    ),
  },
  { additionalProperties: false },
);
const Secrets = Type.Object(
  {
    pkcs12Passwords: Type.Optional(
      Type.Array(Type.String({ maxLength: 1024 }), {
        maxItems: 50,
        description: 'passwords tried on each PKCS#12 file, in order (an empty password is tried last)',
      }),
    ),
  },
  { additionalProperties: false },
);
type DirOptions = Static<typeof Options>;
type DirSecrets = Static<typeof Secrets>;

/** Opens a PKCS#12 file with the first password that works; a wrong password is an item error, not a crash. */
function pkcs12Material(bytes: Uint8Array, passwords: string[]): Material | string {
  for (const password of [...passwords, '']) {
    try {
      readPkcs12(bytes, password, 'file');
      return { pkcs12: Buffer.from(bytes).toString('base64'), password };
    } catch (e) {
      if (e instanceof ValidationError && e.field === 'password') continue;
      return e instanceof ValidationError ? e.message : `cannot be read: ${(e as Error).message}`;
    }
  }
  return `wrong password: none of the ${passwords.length} configured PKCS#12 passwords (nor an empty one) opens it; add it to secrets.pkcs12Passwords`;
}

function materialOf(
  file: string,
  bytes: Uint8Array,
  secrets: DirSecrets,
): { material: Material } | { error: string } | { skipped: string } {
  if (PKCS12.has(path.extname(file).toLowerCase())) {
    const m = pkcs12Material(bytes, secrets.pkcs12Passwords ?? []);
    return typeof m === 'string' ? { error: m } : { material: m };
  }
  const text = Buffer.from(bytes).toString('latin1');
  if (text.includes('-----BEGIN ')) {
    return CERT_PEM.test(text)
      ? { material: { pem: text } }
      : { skipped: 'holds no certificate (a key or other PEM only)' };
  }
  return { material: { der: Buffer.from(bytes).toString('base64') } };
}

interface Walk {
  tree: FileTree;
  options: DirOptions;
  secrets: DirSecrets;
  report: (item: FoundItem) => Promise<void>;
  signal: AbortSignal;
}

async function visitFile(w: Walk, file: string, size: number): Promise<void> {
  const place = { kind: 'file' as const, path: file, tree: w.tree.name };
  const limit = w.options.maxFileBytes ?? 1_000_000;
  if (size > limit) return w.report({ place, skipped: `larger than ${limit} bytes` });
  let bytes: Uint8Array;
  try {
    bytes = await w.tree.read(file);
  } catch (e) {
    return w.report({ place, error: `cannot read the file: ${(e as Error).message}` });
  }
  await w.report({ place, ...materialOf(file, bytes, w.secrets) });
}

async function walk(w: Walk, dir: string, depth: number): Promise<void> {
  let entries: Awaited<ReturnType<FileTree['list']>>;
  try {
    entries = await w.tree.list(dir);
  } catch (e) {
    return w.report({
      place: { kind: 'file', path: dir, tree: w.tree.name },
      error: `cannot list: ${(e as Error).message}`,
    });
  }
  const wanted = new Set((w.options.extensions ?? EXTENSIONS).map((x) => x.toLowerCase()));
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (w.signal.aborted) return;
    const full = path.posix.join(dir, e.name);
    if (e.isDirectory) {
      if ((w.options.recursive ?? true) && depth < 32) await walk(w, full, depth + 1);
    } else if (wanted.has(path.extname(e.name).toLowerCase())) {
      await visitFile(w, full, e.size);
    }
  }
}

/**
 * A directory source over any file tree. `treeFor` opens the tree for one run from the configuration (throwing
 * fails the run with its message: a remote host that cannot be reached or refuses the login); a remote tree adds
 * the settings it needs as `extra` (see ../sftp/index.ts). `validate` may add checks of those settings.
 */
export function createDirectorySource(def: {
  type: string;
  title: string;
  treeFor: (
    config: SourceConfig<DirOptions & Record<string, unknown>, DirSecrets & Record<string, unknown>>,
    ctx: SourceContext,
  ) => Promise<FileTree>;
  extra?: { options?: TProperties; secrets?: TProperties };
  validate?: (config: SourceConfig<DirOptions & Record<string, unknown>, DirSecrets & Record<string, unknown>>) => void;
}): SourcePlugin<DirOptions & Record<string, unknown>, DirSecrets & Record<string, unknown>> {
  return {
    type: def.type,
    title: def.title,
    description: 'reads PEM, DER, PKCS#7 and PKCS#12 files (with configured passwords) under directories',
    options: Type.Object({ ...Options.properties, ...def.extra?.options }, { additionalProperties: false }),
    secrets: Type.Object({ ...Secrets.properties, ...def.extra?.secrets }, { additionalProperties: false }),
    validate(config) {
      for (const [i, p] of config.options.paths.entries()) {
        if (!p.startsWith('/')) throw new SourceConfigError(`options.paths[${i}]`, `'${p}' is not an absolute path`);
      }
      def.validate?.(config);
    },
    async scan(config, ctx, report) {
      const tree = await def.treeFor(config, ctx);
      try {
        for (const p of config.options.paths) {
          await walk({ tree, options: config.options, secrets: config.secrets, report, signal: ctx.signal }, p, 0);
        }
      } finally {
        await tree.close?.();
      }
    },
  };
}

export const directorySource = createDirectorySource({
  type: 'directory',
  title: 'Directory on the Tarsier host',
  treeFor: async () => localFileTree(),
});
