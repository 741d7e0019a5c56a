// The files a certificate becomes on disk, shared by the directory and SFTP destinations so both lay out the same
// names: `split` (certificate, chain, full chain, key), `pem` (one file: certificate, chain, key) or `pkcs12`.
// Names come from templates ({name}, {serial}, {id}, {notAfter}); key-bearing files are mode 0600.
import { Type } from 'typebox';
import { pemBlocks, toPem } from '../../crypto/pem.ts';
import { writePkcs12 } from '../../crypto/pkcs12.ts';
import { StringEnum } from '../../http/schema-types.ts';
import { type DeployBundle, DestinationConfigError } from './plugin.ts';

export const LAYOUTS = ['split', 'pem', 'pkcs12'] as const;
const template = (d: string) =>
  Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: `file-name template; default ${d}` }));

/** Options both file destinations share. */
export const LayoutOptions = {
  layout: Type.Optional(
    StringEnum(LAYOUTS, {
      description: 'split: cert, chain, fullchain and key files; pem: one file with all three; pkcs12: one .p12',
    }),
  ),
  certFile: template('{name}.crt'),
  chainFile: template('{name}.chain.crt'),
  fullchainFile: template('{name}.fullchain.crt'),
  keyFile: template('{name}.key'),
  bundleFile: template('{name}.pem'),
  pkcs12File: template('{name}.p12'),
  command: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 2000,
      description: 'run after the files are in place, e.g. nginx -s reload',
    }),
  ),
  commandTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 600, description: 'default 60' })),
  webRoot: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'directory a web server serves for the names: ACME HTTP-01 tokens go to <webRoot>/.well-known/acme-challenge/',
    }),
  ),
};
export const LayoutSecrets = {
  pkcs12Password: Type.Optional(Type.String({ minLength: 4, description: 'protects the .p12 (layout pkcs12)' })),
};

export interface Layout {
  layout?: (typeof LAYOUTS)[number];
  certFile?: string;
  chainFile?: string;
  fullchainFile?: string;
  keyFile?: string;
  bundleFile?: string;
  pkcs12File?: string;
  command?: string;
  commandTimeoutSeconds?: number;
  webRoot?: string;
}

export interface FileToWrite {
  name: string;
  content: Buffer;
  mode: number;
}

const TEMPLATE_FIELDS = ['certFile', 'chainFile', 'fullchainFile', 'keyFile', 'bundleFile', 'pkcs12File'] as const;

type Names = Pick<DeployBundle, 'certificateId' | 'commonName' | 'serial' | 'notAfter'>;

/** Fills a template; values are made file-name safe so a certificate's name cannot reach another directory. */
export function fillTemplate(text: string, b: Names): string {
  const safe = (v: string) => v.replace(/^\*\./, 'wildcard.').replace(/[^A-Za-z0-9._-]+/g, '_');
  const values: Record<string, string> = {
    name: safe(b.commonName || b.serial),
    serial: safe(b.serial),
    id: String(b.certificateId),
    notAfter: b.notAfter.slice(0, 10),
  };
  return text.replace(/\{(\w+)\}/g, (_m, k: string) => values[k] ?? `{${k}}`);
}

/** Refuses templates that could escape the directory or name unknown values. */
export function checkLayout(options: Layout, secrets: { pkcs12Password?: string }): void {
  for (const f of TEMPLATE_FIELDS) {
    const t = options[f];
    if (t === undefined) continue;
    if (t.includes('/') || t.includes('\\') || t.startsWith('.'))
      throw new DestinationConfigError(`options.${f}`, 'a file name, not a path: no slashes and no leading dot');
    const unknown = [...t.matchAll(/\{(\w+)\}/g)]
      .map((m) => m[1])
      .find((k) => !['name', 'serial', 'id', 'notAfter'].includes(k!));
    if (unknown)
      throw new DestinationConfigError(
        `options.${f}`,
        `{${unknown}} is not a template value; use {name}, {serial}, {id} or {notAfter}`,
      );
  }
  if (options.layout === 'pkcs12' && !secrets.pkcs12Password)
    throw new DestinationConfigError('secrets.pkcs12Password', 'is required for layout pkcs12');
}

/** The name of the file holding the certificate itself (for reading back what is deployed). */
export function certificateFileName(options: Layout, b: Names): string {
  const layout = options.layout ?? 'split';
  const t =
    layout === 'split'
      ? (options.certFile ?? '{name}.crt')
      : layout === 'pem'
        ? (options.bundleFile ?? '{name}.pem')
        : (options.pkcs12File ?? '{name}.p12');
  return fillTemplate(t, b);
}

/** The files to write for `bundle`, in the order they should be written (key last: the pair changes together). */
export function renderFiles(b: DeployBundle, options: Layout, secrets: { pkcs12Password?: string }): FileToWrite[] {
  const layout = options.layout ?? 'split';
  const name = (t: string | undefined, d: string) => fillTemplate(t ?? d, b);
  if (layout === 'pkcs12') {
    const chainDer = b.chainPem ? pemBlocks(b.chainPem).map((p) => p.der) : [];
    const certDer = pemBlocks(b.certificatePem)[0]!.der;
    const p12 = writePkcs12({
      privateKeyDer: b.keyDer,
      certificatesDer: [certDer, ...chainDer],
      password: secrets.pkcs12Password ?? '',
      friendlyName: b.commonName || b.serial,
    });
    return [{ name: name(options.pkcs12File, '{name}.p12'), content: Buffer.from(p12), mode: 0o600 }];
  }
  if (layout === 'pem') {
    const text = b.certificatePem + b.chainPem + (b.keyPem ?? '');
    return [
      { name: name(options.bundleFile, '{name}.pem'), content: Buffer.from(text), mode: b.keyPem ? 0o600 : 0o644 },
    ];
  }
  const files: FileToWrite[] = [
    { name: name(options.certFile, '{name}.crt'), content: Buffer.from(b.certificatePem), mode: 0o644 },
    { name: name(options.chainFile, '{name}.chain.crt'), content: Buffer.from(b.chainPem), mode: 0o644 },
    {
      name: name(options.fullchainFile, '{name}.fullchain.crt'),
      content: Buffer.from(b.certificatePem + b.chainPem),
      mode: 0o644,
    },
  ];
  if (b.keyPem) files.push({ name: name(options.keyFile, '{name}.key'), content: Buffer.from(b.keyPem), mode: 0o600 });
  return files;
}

/** Re-encodes PEM so each block ends with a newline (chains stored without one would glue blocks together). */
export function normalisePem(pem: string): string {
  return pemBlocks(pem)
    .map((p) => toPem(p.der, p.label))
    .join('');
}

/** Keeps the last `max` characters of a command's output (what tells why a reload failed is usually at the end). */
export function tail(text: string, max = 8000): string {
  return text.length > max ? `…${text.slice(-max)}` : text;
}
