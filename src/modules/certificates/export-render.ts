// Renders an export (PEM, DER, PKCS#12) from a certificate, its chain and, when asked and allowed, its key.
// Pure: the service decides who may have the key and audits the read.
import type { KeyObject } from 'node:crypto';
import { exportPrivateKeyDer, exportPrivateKeyPem } from '../../crypto/keys.ts';
import { pemBlocks, toPem } from '../../crypto/pem.ts';
import { writePkcs12 } from '../../crypto/pkcs12.ts';
import { ValidationError } from '../../errors.ts';
import type { ExportInput } from './schemas.ts';

export type ExportPart = 'certificate' | 'chain' | 'key';

export interface ExportFile {
  body: Buffer;
  contentType: string;
  filename: string;
}

export function defaultInclude(format: ExportInput['format']): ExportPart[] {
  if (format === 'der') return ['certificate'];
  if (format === 'pkcs12') return ['certificate', 'chain', 'key'];
  return ['certificate', 'chain'];
}

/** Refuses an impossible export before any key is read (and audited). */
export function checkExportRequest(
  format: ExportInput['format'],
  include: ExportPart[],
  password: string | undefined,
): void {
  const want = new Set(include);
  if (format === 'der' && (want.size !== 1 || want.has('chain'))) {
    throw new ValidationError(
      'include',
      'DER holds one object: ask for ["certificate"] or ["key"] (use pem or pkcs12 for a chain)',
    );
  }
  if (format === 'pkcs12') {
    if (!password || password.length < 4) {
      throw new ValidationError(
        'password',
        'a password of at least 4 characters is required to protect the PKCS#12 file',
      );
    }
    if (!want.has('certificate')) throw new ValidationError('include', 'a PKCS#12 file must include the certificate');
  }
}

export function renderExport(
  format: ExportInput['format'],
  include: ExportPart[],
  cert: { der: Uint8Array; chainPem: string | null; name: string },
  key: KeyObject | undefined,
  password: string | undefined,
): ExportFile {
  const chainDer = cert.chainPem ? pemBlocks(cert.chainPem).map((b) => b.der) : [];
  checkExportRequest(format, include, password);
  const want = new Set(include);
  const base = cert.name.replace(/[^A-Za-z0-9.-]+/g, '_').replace(/^\*/, 'wildcard') || 'certificate';
  if (format === 'pem') {
    let text = '';
    if (want.has('certificate')) text += toPem(cert.der, 'CERTIFICATE');
    if (want.has('chain')) text += chainDer.map((d) => toPem(d, 'CERTIFICATE')).join('');
    if (want.has('key') && key) text += exportPrivateKeyPem(key);
    return { body: Buffer.from(text), contentType: 'application/x-pem-file', filename: `${base}.pem` };
  }
  if (format === 'der') {
    if (want.size !== 1 || want.has('chain')) {
      throw new ValidationError(
        'include',
        'DER holds one object: ask for ["certificate"] or ["key"] (use pem or pkcs12 for a chain)',
      );
    }
    if (want.has('key') && key)
      return {
        body: Buffer.from(exportPrivateKeyDer(key)),
        contentType: 'application/pkcs8',
        filename: `${base}.key.der`,
      };
    return { body: Buffer.from(cert.der), contentType: 'application/pkix-cert', filename: `${base}.cer` };
  }
  if (!password || password.length < 4) {
    throw new ValidationError(
      'password',
      'a password of at least 4 characters is required to protect the PKCS#12 file',
    );
  }
  if (!want.has('certificate')) throw new ValidationError('include', 'a PKCS#12 file must include the certificate');
  const p12 = writePkcs12({
    privateKeyDer: want.has('key') && key ? exportPrivateKeyDer(key) : undefined,
    certificatesDer: [cert.der, ...(want.has('chain') ? chainDer : [])],
    password: password!,
    friendlyName: cert.name,
  });
  return { body: Buffer.from(p12), contentType: 'application/x-pkcs12', filename: `${base}.p12` };
}
