// PEM armour (RFC 7468): the only text form of DER Tarsier reads and writes. pemBlocks is lenient about what
// surrounds the blocks (openssl's "Bag Attributes", comments) and strict about the base64 inside them.
import { ValidationError } from '../errors.ts';

export interface PemBlock {
  label: string;
  der: Uint8Array;
}

/** PEM text with 64-character lines and a trailing newline. */
export function toPem(der: Uint8Array, label: string): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export function isPem(input: string | Uint8Array): boolean {
  const text = typeof input === 'string' ? input : Buffer.from(input.subarray(0, 4096)).toString('latin1');
  return /-----BEGIN [A-Z0-9 ]+-----/.test(text);
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 (whitespace allowed); undefined when the text is not base64. */
export function decodeBase64(text: string): Uint8Array | undefined {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) return undefined;
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

/**
 * Every PEM block in `text`, in order. RFC 1421 headers inside a block (Proc-Type, DEK-Info) are skipped.
 * Throws ValidationError(field) when a block's END label does not match or its body is not base64.
 */
export function pemBlocks(text: string, field = 'pem'): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const [, label = '', body = '', endLabel] = m;
    if (label !== endLabel) {
      throw new ValidationError(field, `PEM block 'BEGIN ${label}' ends with 'END ${endLabel}': send the block whole`);
    }
    const lines = body.split(/\r?\n/).filter((line) => !/^[A-Za-z-]+:/.test(line));
    const der = decodeBase64(lines.join(''));
    if (!der) {
      throw new ValidationError(field, `the ${label} PEM block is not valid base64: it was probably cut or altered`);
    }
    blocks.push({ label, der });
  }
  return blocks;
}
