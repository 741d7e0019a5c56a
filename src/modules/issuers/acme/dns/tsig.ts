// TSIG (RFC 8945) signing of DNS messages and verification of the server's signed answer, written here because
// dns-packet has no TSIG support. Works on wire-format buffers: the caller builds the message (dns-packet plus a
// few hand-encoded records), `signMessage` appends the TSIG record, `checkSignedResponse` verifies the answer's.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TsigAlgorithm = 'hmac-sha256' | 'hmac-sha512';

export interface TsigKey {
  name: string;
  algorithm: TsigAlgorithm;
  secret: Buffer;
}

const TYPE_TSIG = 250;
const CLASS_ANY = 255;
const FUDGE_SECONDS = 300;
export const TSIG_ERRORS: Record<number, string> = { 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME', 22: 'BADTRUNC' };

/** Uncompressed, lower-case wire form of a domain name (the canonical form TSIG digests). */
export function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').toLowerCase().split('.').filter(Boolean);
  const parts: Buffer[] = [];
  for (const label of labels) {
    const b = Buffer.from(label, 'ascii');
    if (b.length > 63) throw new Error(`DNS label too long in ${name}`);
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u48(n: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUIntBE(n, 0, 6);
  return b;
}

/** The TSIG variables digested after the message (RFC 8945 §4.3.3). */
function tsigVariables(key: TsigKey, timeSigned: number, error: number, other: Buffer): Buffer {
  return Buffer.concat([
    encodeName(key.name),
    u16(CLASS_ANY),
    Buffer.alloc(4), // TTL 0
    encodeName(key.algorithm),
    u48(timeSigned),
    u16(FUDGE_SECONDS),
    u16(error),
    u16(other.length),
    other,
  ]);
}

function hmac(key: TsigKey, ...parts: Buffer[]): Buffer {
  const h = createHmac(key.algorithm === 'hmac-sha512' ? 'sha512' : 'sha256', key.secret);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Appends a TSIG record to `message` (whose ARCOUNT it increments); returns the signed message and its MAC. */
export function signMessage(message: Buffer, key: TsigKey, now: Date): { signed: Buffer; mac: Buffer } {
  const timeSigned = Math.floor(now.getTime() / 1000);
  const mac = hmac(key, message, tsigVariables(key, timeSigned, 0, Buffer.alloc(0)));
  const rdata = Buffer.concat([
    encodeName(key.algorithm),
    u48(timeSigned),
    u16(FUDGE_SECONDS),
    u16(mac.length),
    mac,
    message.subarray(0, 2), // original ID
    u16(0),
    u16(0),
  ]);
  const rr = Buffer.concat([
    encodeName(key.name),
    u16(TYPE_TSIG),
    u16(CLASS_ANY),
    Buffer.alloc(4),
    u16(rdata.length),
    rdata,
  ]);
  const signed = Buffer.concat([message, rr]);
  signed.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  return { signed, mac };
}

/** Reads a (possibly compressed) name at `offset`; returns the offset just past it. */
function skipName(buf: Buffer, offset: number): number {
  let o = offset;
  for (;;) {
    const len = buf.readUInt8(o);
    if (len === 0) return o + 1;
    if ((len & 0xc0) === 0xc0) return o + 2;
    o += len + 1;
  }
}

export interface TsigCheck {
  /** The TSIG error the server reported (0 when none), e.g. 16 BADSIG when it does not know our secret. */
  error: number;
  /** Whether the response carried a TSIG record whose MAC verified with our key. */
  verified: boolean;
}

/** Finds the TSIG record that ends a response and verifies it against the request's MAC (RFC 8945 §5.3). */
export function checkSignedResponse(response: Buffer, key: TsigKey, requestMac: Buffer): TsigCheck {
  const arcount = response.readUInt16BE(10);
  if (arcount === 0) return { error: 0, verified: false };
  // Walk every section to the last additional record: the TSIG record must be last.
  let o = 12;
  const counts = [4, 6, 8, 10].map((at) => response.readUInt16BE(at));
  for (let i = 0; i < (counts[0] ?? 0); i++) o = skipName(response, o) + 4;
  const records = (counts[1] ?? 0) + (counts[2] ?? 0) + (counts[3] ?? 0);
  let start = o;
  for (let i = 0; i < records; i++) {
    start = o;
    o = skipName(response, o);
    o += 10 + response.readUInt16BE(o + 8);
  }
  const rrType = response.readUInt16BE(skipName(response, start));
  if (rrType !== TYPE_TSIG) return { error: 0, verified: false };
  let r = skipName(response, start) + 10;
  r = skipName(response, r); // algorithm
  const timeSigned = response.readUIntBE(r, 6);
  const macSize = response.readUInt16BE(r + 8);
  const mac = response.subarray(r + 10, r + 10 + macSize);
  r += 10 + macSize;
  const originalId = response.readUInt16BE(r);
  const error = response.readUInt16BE(r + 2);
  const otherLen = response.readUInt16BE(r + 4);
  const other = response.subarray(r + 6, r + 6 + otherLen);
  if (macSize === 0) return { error, verified: false };
  const unsigned = Buffer.from(response.subarray(0, start));
  unsigned.writeUInt16BE(originalId, 0);
  unsigned.writeUInt16BE(arcount - 1, 10);
  const expected = hmac(
    key,
    u16(requestMac.length),
    requestMac,
    unsigned,
    tsigVariables(key, timeSigned, error, other),
  );
  return { error, verified: expected.length === mac.length && timingSafeEqual(expected, mac) };
}
