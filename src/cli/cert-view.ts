// How a certificate looks in the CLI: one table row in `cert list`, a `key: value` block in `cert show` and after
// every command that changes one. Only the fields printed are typed here; --json shows everything the API sends.
import { type Field, formatDate, formatTime, printFields, printTable } from './output.ts';

export interface Certificate {
  id: number;
  commonName: string | null;
  sans: { dns: string[]; ip: string[]; email: string[]; uri: string[] };
  serial: string;
  fingerprintSha256: string;
  subjectDn: string;
  issuerDn: string;
  notBefore: string;
  notAfter: string;
  keyType: string;
  signatureAlgorithm: string;
  status: string;
  authorityId: number | null;
  origin: string;
  owner: string | null;
  description: string | null;
  labels: Record<string, string>;
  hasKey: boolean;
  revokedAt: string | null;
  revocationReason: string | null;
  archivedAt: string | null;
  replacesId: number | null;
  replacedById: number | null;
  createdAt: string;
  createdBy: string | null;
  problems: string[];
  pem?: string;
  chainPem?: string | null;
  keyUsages?: string[];
  extendedKeyUsages?: string[];
  chain?: Array<{ subjectDn: string }>;
  events?: Array<{ at: string; actor: string; action: string; outcome: string }>;
}

/** `CN=Acme Root,O=Acme` -> `Acme Root`: the short name of an issuer for a narrow column. */
function commonNameOf(dn: string): string {
  return /(?:^|,\s*)CN=((?:\\.|[^,])*)/.exec(dn)?.[1] ?? dn;
}

/** The AUTHORITY column: the authority's id when Tarsier issued it, else the issuer's name. */
function authorityCell(c: Certificate): string {
  return c.authorityId !== null ? `#${c.authorityId}` : commonNameOf(c.issuerDn);
}

export function printCertificateTable(items: Certificate[]): void {
  printTable(
    ['ID', 'COMMON NAME', 'STATUS', 'NOT AFTER', 'KEY', 'AUTHORITY', 'OWNER'],
    items.map((c) => [
      c.id,
      c.commonName ?? c.sans.dns[0] ?? c.sans.ip[0],
      c.archivedAt ? `${c.status} (archived)` : c.status,
      formatDate(c.notAfter),
      c.keyType,
      authorityCell(c),
      c.owner,
    ]),
  );
}

/** A field printed only when the certificate has it. */
const when = (present: unknown, field: Field): Field[] => (present ? [field] : []);

export function printCertificate(c: Certificate): void {
  const sans = [
    ...c.sans.dns.map((v) => `DNS:${v}`),
    ...c.sans.ip.map((v) => `IP:${v}`),
    ...c.sans.email.map((v) => `email:${v}`),
    ...c.sans.uri.map((v) => `URI:${v}`),
  ];
  printFields([
    ['ID', c.id],
    ['Common name', c.commonName],
    ['Status', c.status],
    ...when(c.revokedAt, ['Revoked', `${formatTime(c.revokedAt)} (${c.revocationReason ?? 'unspecified'})`]),
    ...when(c.archivedAt, ['Archived', formatTime(c.archivedAt)]),
    ['SANs', sans],
    ['Subject', c.subjectDn],
    ['Issuer', c.issuerDn],
    ['Authority', c.authorityId],
    ['Origin', c.origin],
    ['Not before', formatTime(c.notBefore)],
    ['Not after', formatTime(c.notAfter)],
    ['Key type', c.keyType],
    ['Private key', c.hasKey ? 'stored (encrypted)' : 'not stored'],
    ['Signature', c.signatureAlgorithm],
    ...when(c.keyUsages, ['Key usage', c.keyUsages?.join(', ')]),
    ...when(c.extendedKeyUsages, ['Extended key usage', c.extendedKeyUsages?.join(', ')]),
    ['Serial', c.serial],
    ['SHA-256', c.fingerprintSha256],
    ['Owner', c.owner],
    ['Description', c.description],
    ['Labels', Object.entries(c.labels).map(([k, v]) => `${k}=${v}`)],
    ...when(c.replacesId, ['Replaces', c.replacesId]),
    ...when(c.replacedById, ['Replaced by', c.replacedById]),
    ...when(c.chain, ['Chain', c.chain?.map((x) => x.subjectDn) ?? []]),
    ['Created', `${formatTime(c.createdAt)}${c.createdBy ? ` by ${c.createdBy}` : ''}`],
    ...when(c.events?.length, [
      'Events',
      c.events?.map((e) => `${formatTime(e.at)}  ${e.action} by ${e.actor}: ${e.outcome}`) ?? [],
    ]),
    ...when(c.problems.length, ['Problems', c.problems]),
  ]);
}
