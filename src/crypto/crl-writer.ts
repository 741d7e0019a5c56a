// Low-level pieces for revocation encoders (crl.ts, ocsp.ts): a growable byte buffer that TLV headers can be
// written into *before* content already written, serial-number normalisation, and time fields written digit by
// digit. A 1,000,000-entry CRL is ≈50 MB: building it from millions of small Uint8Arrays joined by nested concat
// would allocate and copy every byte once per nesting level, so crl.ts writes each entry once, in place.
import { ValidationError } from '../errors.ts';

/** Bytes of a DER length header (tag byte included) for `length` content bytes. */
export function headerSize(length: number): number {
  if (length < 0x80) return 2;
  if (length < 0x100) return 3;
  if (length < 0x10000) return 4;
  if (length < 0x1000000) return 5;
  return 6;
}

/** Writes tag + length so that it ends at `end`; returns where the header starts. */
export function writeHeaderBefore(buf: Uint8Array, end: number, tag: number, length: number): number {
  const size = headerSize(length);
  const start = end - size;
  buf[start] = tag;
  if (size === 2) {
    buf[start + 1] = length;
  } else {
    buf[start + 1] = 0x80 | (size - 2);
    for (let i = end - 1, n = length; i >= start + 2; i--, n = Math.floor(n / 256)) buf[i] = n & 0xff;
  }
  return start;
}

/** A byte buffer that grows by doubling; `reserve` bytes at the front stay free for headers written last. */
export class GrowableBuffer {
  buf: Buffer;
  at: number;

  constructor(capacity: number, reserve = 0) {
    this.buf = Buffer.allocUnsafe(Math.max(capacity, reserve + 64));
    this.at = reserve;
  }

  ensure(extra: number): void {
    if (this.at + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + extra) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
  }

  append(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.at);
    this.at += bytes.length;
  }

  /** `start`..`at` as a Uint8Array; copied out when more than a fifth of the buffer would be wasted. */
  result(start: number): Uint8Array {
    const length = this.at - start;
    if (this.buf.length - length > length / 5) return new Uint8Array(this.buf.subarray(start, this.at));
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset + start, length);
  }
}

const MAX_SERIAL_BYTES = 32;

/**
 * A serial number in hex (any case, leading zeros allowed, as stored or as in DER contents) as the hex of its
 * DER INTEGER contents: leading zeros stripped, one zero byte added back when the high bit is set. `field` names
 * the culprit in the ValidationError thrown for anything that is not hex.
 */
export function serialContentHex(serialHex: string, field: string): string {
  if (typeof serialHex !== 'string' || !/^[0-9a-fA-F]+$/.test(serialHex)) {
    throw new ValidationError(field, `'${String(serialHex).slice(0, 80)}' is not a hexadecimal serial number`);
  }
  let i = 0;
  while (i < serialHex.length - 1 && serialHex[i] === '0') i++;
  let hex = serialHex.slice(i).toLowerCase();
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (hex.length / 2 > MAX_SERIAL_BYTES) {
    throw new ValidationError(field, `is ${hex.length / 2} bytes long: RFC 5280 allows serial numbers of 20 octets`);
  }
  return hex.charCodeAt(0) >= 0x38 ? `00${hex}` : hex; // '8'..'f': high bit set
}

/** Encoded size of an UTCTime (through 2049) or GeneralizedTime (from 2050), as RFC 5280 requires. */
export const x509TimeSize = (date: Date): number => (date.getUTCFullYear() < 2050 ? 15 : 17);

function digits(buf: Uint8Array, at: number, value: number, width: number): number {
  for (let i = at + width - 1, v = value; i >= at; i--, v = Math.floor(v / 10)) buf[i] = 0x30 + (v % 10);
  return at + width;
}

function checkDate(date: Date, field: string): void {
  const year = date instanceof Date ? date.getUTCFullYear() : Number.NaN;
  if (!(year >= 1950 && year <= 9999)) throw new ValidationError(field, 'is not a date between 1950 and 9999');
}

/** Writes an RFC 5280 time (UTCTime before 2050, else GeneralizedTime) at `at`; returns the end. */
export function writeX509Time(buf: Uint8Array, at: number, date: Date, field: string): number {
  checkDate(date, field);
  const year = date.getUTCFullYear();
  let p = at;
  if (year < 2050) {
    buf[p++] = 0x17;
    buf[p++] = 13;
    p = digits(buf, p, year % 100, 2);
  } else {
    buf[p++] = 0x18;
    buf[p++] = 15;
    p = digits(buf, p, year, 4);
  }
  return writeRest(buf, p, date);
}

/** Writes a GeneralizedTime (OCSP uses no other) at `at`; returns the end. */
export function writeGeneralizedTime(buf: Uint8Array, at: number, date: Date, field: string): number {
  checkDate(date, field);
  buf[at] = 0x18;
  buf[at + 1] = 15;
  return writeRest(buf, digits(buf, at + 2, date.getUTCFullYear(), 4), date);
}

function writeRest(buf: Uint8Array, at: number, date: Date): number {
  let p = digits(buf, at, date.getUTCMonth() + 1, 2);
  p = digits(buf, p, date.getUTCDate(), 2);
  p = digits(buf, p, date.getUTCHours(), 2);
  p = digits(buf, p, date.getUTCMinutes(), 2);
  p = digits(buf, p, date.getUTCSeconds(), 2);
  buf[p] = 0x5a; // 'Z'
  return p + 1;
}

/** A GeneralizedTime element. */
export function generalizedTime(date: Date, field: string): Uint8Array {
  const out = new Uint8Array(17);
  writeGeneralizedTime(out, 0, date, field);
  return out;
}

/** A non-negative bigint as DER INTEGER contents' hex (for CRL numbers). */
export function bigintContentHex(value: bigint, field: string): string {
  if (typeof value !== 'bigint' || value < 0n) throw new ValidationError(field, 'must be a non-negative bigint');
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (hex.charCodeAt(0) >= 0x38) hex = `00${hex}`;
  if (hex.length > 40) throw new ValidationError(field, 'is longer than 20 octets (RFC 5280 5.2.3)');
  return hex;
}
