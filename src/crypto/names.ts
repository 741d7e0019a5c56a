// Names: NameFields to DER for the builder, DER back to NameFields plus an RFC 4514 string for parsed
// certificates and CSRs (one attribute table drives both directions so they cannot disagree), and the
// normalizers services apply to user-typed subjects, DNS names, emails, IPs and CIDRs before building.
import { domainToASCII } from 'node:url';
import { ValidationError } from '../errors.ts';
import {
  children,
  content,
  type DerNode,
  decodeOid,
  ia5String,
  objectIdentifier,
  printableString,
  readRoot,
  sequence,
  set,
  toHex,
  utf8String,
} from './der.ts';
import { formatCidr, formatIp, parseCidr, parseIp } from './ip.ts';
import type { NameFields } from './types.ts';

interface Attribute {
  field: keyof NameFields;
  oid: string;
  short: string;
  encode: (value: string) => Uint8Array;
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]+$/;

/** Encoding order: most general first (C, ST, L, O, OU, CN), then emailAddress and serialNumber. */
const ATTRIBUTES: readonly Attribute[] = [
  { field: 'country', oid: '2.5.4.6', short: 'C', encode: printableString },
  { field: 'state', oid: '2.5.4.8', short: 'ST', encode: utf8String },
  { field: 'locality', oid: '2.5.4.7', short: 'L', encode: utf8String },
  { field: 'organization', oid: '2.5.4.10', short: 'O', encode: utf8String },
  { field: 'organizationalUnit', oid: '2.5.4.11', short: 'OU', encode: utf8String },
  { field: 'commonName', oid: '2.5.4.3', short: 'CN', encode: utf8String },
  { field: 'emailAddress', oid: '1.2.840.113549.1.9.1', short: 'emailAddress', encode: ia5String },
  { field: 'serialNumber', oid: '2.5.4.5', short: 'serialNumber', encode: printableString },
];

const BY_OID = new Map(ATTRIBUTES.map((a) => [a.oid, a]));
const OTHER_SHORT_NAMES = new Map([
  ['2.5.4.9', 'STREET'],
  ['0.9.2342.19200300.100.1.25', 'DC'],
  ['0.9.2342.19200300.100.1.1', 'UID'],
  ['2.5.4.4', 'SN'],
  ['2.5.4.42', 'GN'],
  ['2.5.4.12', 'title'],
  ['2.5.4.97', 'organizationIdentifier'],
]);

function checkValue(attr: Attribute, value: string, path: string): void {
  if (value.length === 0) throw new ValidationError(path, 'is empty: leave the field out instead');
  if (attr.field === 'country' && !/^[A-Za-z]{2}$/.test(value)) {
    throw new ValidationError(path, `'${value}' is not a two-letter ISO 3166 country code such as 'US' or 'DE'`);
  }
  if (attr.field === 'serialNumber' && !PRINTABLE.test(value)) {
    throw new ValidationError(path, `'${value}' may only hold letters, digits, spaces and '()+,-./:=?`);
  }
  if (attr.field === 'emailAddress' && !/^[\x21-\x7e]+$/.test(value)) {
    throw new ValidationError(path, `'${value}' must be ASCII without spaces`);
  }
}

/** DER Name (RDNSequence, one attribute per RDN). `path` prefixes error fields, e.g. `subject`. */
export function encodeName(fields: NameFields, path = 'subject'): Uint8Array {
  const rdns: Uint8Array[] = [];
  for (const attr of ATTRIBUTES) {
    const value = fields[attr.field];
    if (value === undefined) continue;
    checkValue(attr, value, `${path}.${attr.field}`);
    rdns.push(set(sequence(objectIdentifier(attr.oid), attr.encode(value))));
  }
  return sequence(...rdns);
}

function decodeString(buf: Uint8Array, node: DerNode): string | undefined {
  const bytes = Buffer.from(content(buf, node));
  switch (node.tag) {
    case 0x0c: // UTF8String
      return bytes.toString('utf8');
    case 0x12: // NumericString
    case 0x13: // PrintableString
    case 0x14: // TeletexString, read as Latin-1 as everyone does
    case 0x16: // IA5String
    case 0x1a: // VisibleString
      return bytes.toString('latin1');
    case 0x1e: // BMPString, UTF-16BE
      return Buffer.from(bytes).swap16().toString('utf16le');
    case 0x1c: {
      // UniversalString, UTF-32BE
      let out = '';
      for (let i = 0; i + 3 < bytes.length; i += 4) out += String.fromCodePoint(bytes.readUInt32BE(i));
      return out;
    }
    default:
      return undefined;
  }
}

/** RFC 4514 section 2.4 escaping. */
function escapeValue(value: string): string {
  return value
    .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, '\\ ')
    .replace(/\p{Cc}/gu, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export interface DecodedName {
  fields: NameFields;
  /** RFC 4514 order (last RDN first), e.g. "CN=example.com, O=Acme, C=US". */
  dn: string;
}

/** Decodes a DER Name. The first occurrence of a repeated attribute fills NameFields; the string keeps them all. */
export function decodeName(der: Uint8Array): DecodedName {
  const fields: NameFields = {};
  const rdnTexts: string[] = [];
  const root = readRoot(der, 0x30);
  for (const rdn of children(der, root)) {
    const parts: string[] = [];
    for (const atv of children(der, rdn)) {
      const [typeNode, valueNode] = children(der, atv);
      if (!typeNode || !valueNode || typeNode.tag !== 0x06) throw new Error('malformed name attribute');
      const oid = decodeOid(content(der, typeNode));
      const attr = BY_OID.get(oid);
      const value = decodeString(der, valueNode);
      if (attr && value !== undefined && fields[attr.field] === undefined) fields[attr.field] = value;
      const short = attr?.short ?? OTHER_SHORT_NAMES.get(oid) ?? oid;
      const text = value === undefined ? `#${toHex(der.subarray(valueNode.start, valueNode.end))}` : escapeValue(value);
      parts.push(`${short}=${text}`);
    }
    rdnTexts.push(parts.join('+'));
  }
  return { fields, dn: rdnTexts.reverse().join(', ') };
}

// ---- normalizing user-supplied names (used by the authority and certificate services before building) ----------

/** Trims every field and upper-cases the country; drops fields left empty. Validation happens in encodeName. */
export function normalizeSubject(subject: NameFields): NameFields {
  const out: NameFields = {};
  for (const attr of ATTRIBUTES) {
    const value = subject[attr.field]?.trim();
    if (value) out[attr.field] = attr.field === 'country' ? value.toUpperCase() : value;
  }
  return out;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Lower-case ASCII (IDNs to punycode), no trailing dot; a wildcard only as the whole leftmost label.
 * Throws ValidationError(field) naming what is wrong. Example: normalizeDnsName('WWW.Example.com.', 'sans.dns[0]').
 */
export function normalizeDnsName(name: string, field: string): string {
  const trimmed = name.trim().replace(/\.$/, '');
  const wildcard = trimmed.startsWith('*.');
  const ascii = domainToASCII(wildcard ? trimmed.slice(2) : trimmed);
  const labels = ascii.split('.');
  if (!ascii || ascii.length > 253 || !labels.every((l) => LABEL.test(l))) {
    throw new ValidationError(field, `'${name}' is not a valid DNS name (e.g. www.example.com or *.example.com)`);
  }
  return wildcard ? `*.${ascii}` : ascii;
}

/** local@domain with the domain normalized as a DNS name; the local part is kept as given (it is case-sensitive). */
export function normalizeEmail(email: string, field: string): string {
  const trimmed = email.trim();
  const at = trimmed.lastIndexOf('@');
  const local = trimmed.slice(0, at);
  if (at <= 0 || !/^[\x21-\x7e]+$/.test(local) || local.length > 64) {
    throw new ValidationError(field, `'${email}' is not an email address such as alice@example.com`);
  }
  return `${local}@${normalizeDnsName(trimmed.slice(at + 1), field)}`;
}

/** Canonical address text (RFC 5952 for IPv6). */
export function normalizeIp(ip: string, field: string): string {
  const bytes = parseIp(ip.trim());
  if (!bytes) throw new ValidationError(field, `'${ip}' is not an IPv4 or IPv6 address`);
  return formatIp(bytes);
}

/** Canonical CIDR text; a bare address means the single host (/32 or /128). Host bits must be zero. */
export function normalizeCidr(cidr: string, field: string): string {
  const bytes = parseCidr(cidr.trim());
  if (!bytes) {
    throw new ValidationError(
      field,
      `'${cidr}' is not a network in CIDR form such as 10.0.0.0/8 or fd00::/8 (host bits zero)`,
    );
  }
  return formatCidr(bytes);
}
