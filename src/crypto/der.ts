// A minimal DER writer and reader. Certificate issuance is Tarsier's measured hot path: @peculiar/x509 builds and
// signs ≈400 certificates/s here, while this writer + crypto.sign reached ≈23,000/s (shared NOTES), and the target
// is to out-issue CFSSL (≈1.7–4.2k/s). The reader gives byte-exact slices (names, TBS bytes) that a re-encoding
// ASN.1 library cannot promise. Only low tag numbers and definite lengths: that is all DER certificates use.

export class DerError extends Error {}

// ---- writer ----------------------------------------------------------------------------------------------------

/** One TLV: tag byte, DER length, contents. */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const len = content.length;
  let header: number;
  if (len < 0x80) header = 2;
  else if (len < 0x100) header = 3;
  else if (len < 0x10000) header = 4;
  else if (len < 0x1000000) header = 5;
  else header = 6;
  const out = new Uint8Array(header + len);
  out[0] = tag;
  if (header === 2) {
    out[1] = len;
  } else {
    out[1] = 0x80 | (header - 2);
    for (let i = header - 1, n = len; i >= 2; i--, n = Math.floor(n / 256)) out[i] = n & 0xff;
  }
  out.set(content, header);
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const sequence = (...parts: Uint8Array[]): Uint8Array => tlv(0x30, concat(parts));
export const set = (...parts: Uint8Array[]): Uint8Array => tlv(0x31, concat(parts));
export const octetString = (bytes: Uint8Array): Uint8Array => tlv(0x04, bytes);
export const utf8String = (text: string): Uint8Array => tlv(0x0c, Buffer.from(text, 'utf8'));
export const printableString = (text: string): Uint8Array => tlv(0x13, Buffer.from(text, 'latin1'));
export const ia5String = (text: string): Uint8Array => tlv(0x16, Buffer.from(text, 'latin1'));
/** [n] IMPLICIT on a primitive type. */
export const contextPrimitive = (n: number, content: Uint8Array): Uint8Array => tlv(0x80 | n, content);
/** [n] on a constructed type (EXPLICIT wrappers, IMPLICIT SEQUENCEs). */
export const contextConstructed = (n: number, ...parts: Uint8Array[]): Uint8Array => tlv(0xa0 | n, concat(parts));
export const TRUE = Uint8Array.of(0x01, 0x01, 0xff);
export const NULL = Uint8Array.of(0x05, 0x00);
export const EMPTY = new Uint8Array(0);

/** BIT STRING with the given number of unused bits in the last byte. */
export function bitString(bytes: Uint8Array, unusedBits = 0): Uint8Array {
  const content = new Uint8Array(bytes.length + 1);
  content[0] = unusedBits;
  content.set(bytes, 1);
  return tlv(0x03, content);
}

/** INTEGER from an unsigned big-endian magnitude: leading zeros stripped, a 0x00 added when the high bit is set. */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const body = magnitude.subarray(start);
  if (body.length === 0) return Uint8Array.of(0x02, 0x01, 0x00);
  return tlv(0x02, (body[0]! & 0x80) === 0 ? body : concat([Uint8Array.of(0), body]));
}

export function smallInteger(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new DerError(`${n} is not a non-negative integer`);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return unsignedInteger(Uint8Array.from(bytes));
}

const oidCache = new Map<string, Uint8Array>();

/** OBJECT IDENTIFIER from dotted form; encodings are cached because a handful of OIDs repeat in every certificate. */
export function objectIdentifier(dotted: string): Uint8Array {
  const cached = oidCache.get(dotted);
  if (cached) return cached;
  if (!/^[0-2](\.(0|[1-9]\d*))+$/.test(dotted)) throw new DerError(`'${dotted}' is not a dotted object identifier`);
  const arcs = dotted.split('.').map(BigInt);
  const first = arcs[0]! * 40n + arcs[1]!;
  const bytes: number[] = [];
  for (const arc of [first, ...arcs.slice(2)]) {
    const group = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) group.unshift(Number(v & 0x7fn) | 0x80);
    bytes.push(...group);
  }
  const encoded = tlv(0x06, Uint8Array.from(bytes));
  if (oidCache.size < 10_000) oidCache.set(dotted, encoded);
  return encoded;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; seconds precision, always Zulu. */
export function time(date: Date): Uint8Array {
  const y = date.getUTCFullYear();
  const rest = `${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(`${pad(y % 100)}${rest}`, 'latin1'));
  if (y < 0 || y > 9999) throw new DerError(`year ${y} cannot be encoded`);
  return tlv(0x18, Buffer.from(`${pad(y, 4)}${rest}`, 'latin1'));
}

// ---- reader ----------------------------------------------------------------------------------------------------

/** A located element: `start` is the tag byte, `contentStart`..`end` the contents. */
export interface DerNode {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

export function readNode(buf: Uint8Array, offset = 0, limit = buf.length): DerNode {
  if (offset + 2 > limit) throw new DerError('data ends before an element does');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`high tag numbers are not supported (at byte ${offset})`);
  const first = buf[offset + 1]!;
  let length = first;
  let contentStart = offset + 2;
  if (first === 0x80) throw new DerError('indefinite length is BER, not DER');
  if (first > 0x80) {
    const count = first & 0x7f;
    if (count > 4 || contentStart + count > limit) throw new DerError(`bad length at byte ${offset}`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[contentStart + i]!;
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError(`element at byte ${offset} claims ${length} bytes but the data ends sooner`);
  return { tag, start: offset, contentStart, end };
}

/** Reads exactly one element spanning all of `buf` (trailing bytes are an error). */
export function readRoot(buf: Uint8Array, expectedTag?: number): DerNode {
  const node = readNode(buf, 0);
  if (node.end !== buf.length) throw new DerError(`${buf.length - node.end} trailing bytes after the element`);
  if (expectedTag !== undefined && node.tag !== expectedTag) throw new DerError(`unexpected tag 0x${hex2(node.tag)}`);
  return node;
}

export function children(buf: Uint8Array, node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  for (let at = node.contentStart; at < node.end; ) {
    const child = readNode(buf, at, node.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** The n-th child, checking its tag. */
export function child(nodes: DerNode[], index: number, tag: number, what: string): DerNode {
  const node = nodes[index];
  if (!node || node.tag !== tag) throw new DerError(`${what} is missing or has the wrong type`);
  return node;
}

export const content = (buf: Uint8Array, node: DerNode): Uint8Array => buf.subarray(node.contentStart, node.end);
export const whole = (buf: Uint8Array, node: DerNode): Uint8Array => buf.subarray(node.start, node.end);

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

export function decodeOid(bytes: Uint8Array): string {
  const arcs: bigint[] = [];
  let value = 0n;
  for (const b of bytes) {
    value = (value << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
    }
  }
  const first = arcs.shift();
  if (first === undefined || (bytes[bytes.length - 1]! & 0x80) !== 0) throw new DerError('malformed object identifier');
  const top = first < 80n ? first / 40n : 2n;
  return [top, first - top * 40n, ...arcs].join('.');
}

export function decodeTime(buf: Uint8Array, node: DerNode): Date {
  const text = Buffer.from(content(buf, node)).toString('latin1');
  const m =
    node.tag === 0x17
      ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?Z$/.exec(text)
      : /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.\d+)?Z$/.exec(text);
  if (!m || (node.tag !== 0x17 && node.tag !== 0x18)) throw new DerError(`'${text}' is not a UTC time`);
  let year = Number(m[1]);
  if (node.tag === 0x17) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
}

export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
