// `tarsier cert import|export`: certificate files in and out. Import recognises what it was given (PEM text,
// PKCS#12, DER) and sends it the way the API wants; export writes the server's bytes exactly, and a file that may
// hold a private key is created with mode 0600.
import path from 'node:path';
import type { Command } from 'commander';
import { type Certificate, printCertificate } from './cert-view.ts';
import { type ClientFlags, connect, withClientOptions } from './client.ts';
import { choice, defined, id, label, list } from './options.ts';
import { print, printJson, readFile, writeFile } from './output.ts';

interface ImportFlags extends ClientFlags {
  key?: string;
  password?: string;
  owner?: string;
  description?: string;
  label?: Record<string, string>;
}

const FORMATS = ['pem', 'der', 'pkcs12'] as const;
const PARTS = ['certificate', 'chain', 'key'] as const;
type Part = (typeof PARTS)[number];

interface ExportFlags extends ClientFlags {
  format: (typeof FORMATS)[number];
  include?: string[];
  password?: string;
  out: string;
}

/** Which field of the import request carries this file: PEM text, PKCS#12 (by extension, or binary plus a
 * password), else DER; the binary ones base64-encoded. */
export function importPayload(file: string, bytes: Buffer, password: string | undefined): Record<string, string> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.p12' || ext === '.pfx') return { pkcs12: bytes.toString('base64') };
  const text = bytes.toString('utf8');
  if (text.includes('-----BEGIN ')) return { pem: text };
  if (password !== undefined) return { pkcs12: bytes.toString('base64') };
  return { der: bytes.toString('base64') };
}

/** What the server puts in the file when --include is not given (see the export API). */
function defaultParts(format: ExportFlags['format']): Part[] {
  if (format === 'der') return ['certificate'];
  if (format === 'pkcs12') return ['certificate', 'chain', 'key'];
  return ['certificate', 'chain'];
}

function parts(values: string[] | undefined): Part[] | undefined {
  if (values === undefined) return undefined;
  const unknown = values.filter((v) => !(PARTS as readonly string[]).includes(v));
  if (unknown.length) throw new Error(`--include: '${unknown.join(', ')}' is not one of: ${PARTS.join(', ')}`);
  return values as Part[];
}

export function registerCertificateFileCommands(cert: Command): void {
  withClientOptions(
    cert
      .command('import')
      .description('add an existing certificate (PEM, DER or PKCS#12 file) to the inventory')
      .argument('<file>', 'the certificate file: .pem/.crt (may hold the chain and key), .der/.cer, .p12/.pfx')
      .option('--key <file>', 'its private key (PEM), when not in the file')
      .option('--password <password>', 'password of the PKCS#12 file or the encrypted key')
      .option('--owner <owner>', 'a team or an e-mail address')
      .option('--description <text>', 'free text')
      .option('--label <key=value>', 'a label; repeat for several', label),
  ).action(async (file: string, flags: ImportFlags) => {
    const body = defined({
      ...importPayload(file, readFile(file, 'certificate'), flags.password),
      password: flags.password,
      privateKey: flags.key === undefined ? undefined : readFile(flags.key, 'key').toString('utf8'),
      owner: flags.owner,
      description: flags.description,
      labels: flags.label,
    });
    const reply = await connect(flags).json<Certificate>('POST', '/api/v1/certificates/import', { body });
    if (flags.json) {
      printJson(reply.body);
      return;
    }
    const created = reply.status === 201;
    print(
      created ? `imported certificate ${reply.body.id}` : `already in the inventory as certificate ${reply.body.id}`,
    );
    printCertificate(reply.body);
  });

  withClientOptions(
    cert
      .command('export')
      .description('write a certificate, its chain and/or its private key to a file')
      .argument('<id>', 'certificate id', id)
      .requiredOption('--format <format>', FORMATS.join(', '), choice(FORMATS))
      .option(
        '--include <parts>',
        'certificate, chain, key (comma list); default certificate,chain for pem, certificate for der, all for pkcs12',
        list,
      )
      .option('--password <password>', 'protects the PKCS#12 file (required for pkcs12)')
      .requiredOption('-o, --out <file>', 'the file to write (- for standard output)'),
  ).action(async (certId: number, flags: ExportFlags) => {
    const include = parts(flags.include);
    const bytes = await connect(flags).bytes('POST', `/api/v1/certificates/${certId}/export`, {
      body: defined({ format: flags.format, include, password: flags.password }),
    });
    const hasKey = (include ?? defaultParts(flags.format)).includes('key');
    writeFile(flags.out, bytes, { secret: hasKey });
    const mode = hasKey ? '0600' : '0644';
    if (flags.out === '-') return;
    if (flags.json) printJson({ id: certId, file: flags.out, format: flags.format, bytes: bytes.length, mode });
    else print(`wrote ${bytes.length} bytes (${flags.format}) of certificate ${certId} to ${flags.out} (mode ${mode})`);
  });
}
