// IP addresses as X.509 carries them: 4 or 16 bytes in a SAN, address + mask (8 or 32 bytes) in name constraints.
// Text goes out in canonical form (RFC 5952 for IPv6) so that the same address always compares equal.

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function parseV4(text: string): number[] | undefined {
  return V4.test(text) ? text.split('.').map(Number) : undefined;
}

function parseV6(text: string): number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  let body = text;
  if (text.includes('.')) {
    // An embedded IPv4 tail (::ffff:192.0.2.1) becomes the two hex groups it stands for.
    const lastColon = text.lastIndexOf(':');
    const v4 = parseV4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    const word = (hi: number, lo: number): string => ((hi << 8) | lo).toString(16);
    body = `${text.slice(0, lastColon + 1)}${word(v4[0]!, v4[1]!)}:${word(v4[2]!, v4[3]!)}`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if (![...left, ...right].every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const words = [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => Number.parseInt(g, 16));
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

/** 4 or 16 bytes, or undefined when `text` is not an IPv4 or IPv6 address (zone ids are not addresses). */
export function parseIp(text: string): Uint8Array | undefined {
  const bytes = parseV4(text) ?? (text.includes(':') ? parseV6(text) : undefined);
  return bytes ? Uint8Array.from(bytes) : undefined;
}

/** Address followed by its mask, as name constraints want; undefined when not CIDR or host bits are set. */
export function parseCidr(text: string): Uint8Array | undefined {
  const [address, prefixText, extra] = text.split('/');
  const bytes = address === undefined ? undefined : parseIp(address);
  if (!bytes || extra !== undefined) return undefined;
  const bits = bytes.length * 8;
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= bits)) return undefined;
  const mask = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) mask[i] = 0xff & (0xff << Math.max(0, Math.min(8, 8 * (i + 1) - prefix)));
  for (let i = 0; i < bytes.length; i++) if ((bytes[i]! & ~mask[i]!) !== 0) return undefined;
  const out = new Uint8Array(bytes.length * 2);
  out.set(bytes);
  out.set(mask, bytes.length);
  return out;
}

export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.length !== 16) return `#${Buffer.from(bytes).toString('hex')}`;
  const words = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Address + mask bytes back to CIDR text. */
export function formatCidr(bytes: Uint8Array): string {
  const half = bytes.length / 2;
  if (half !== 4 && half !== 16) return `#${Buffer.from(bytes).toString('hex')}`;
  let prefix = 0;
  for (const b of bytes.subarray(half)) for (let bit = 7; bit >= 0; bit--) prefix += (b >> bit) & 1;
  return `${formatIp(bytes.subarray(0, half))}/${prefix}`;
}
