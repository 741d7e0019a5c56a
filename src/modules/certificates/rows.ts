// How certificate rows are derived: the searchable text, the columns read from a parsed certificate, and the
// owner/labels/notify metadata. Issued and imported rows use the same functions so they read alike.
import type { ParsedCertificate } from '../../crypto/types.ts';
import type { NewCertificateRow } from '../../db/schema.ts';
import { hexId } from './list.ts';

/**
 * What `q` searches by substring: the common name and every SAN, lower-cased. Serials and fingerprints are
 * matched by prefix on their own indexes instead (list.ts): in the trigram index their 140 hex characters
 * tripled its size and the cost of every insert.
 */
export function searchText(p: { commonName?: string; sans: ParsedCertificate['sans'] }): string {
  const { dns, ip, email, uri } = p.sans;
  return [p.commonName ?? '', ...dns, ...ip, ...email, ...uri].join(' ').toLowerCase();
}

/** The columns every certificate row derives from its parsed certificate. */
export function rowFromParsed(p: ParsedCertificate): Omit<NewCertificateRow, 'origin' | 'labels' | 'created_at'> {
  return {
    common_name: p.commonName ?? '',
    sans: JSON.stringify(p.sans),
    search_text: searchText(p),
    serial: hexId(p.serial),
    fingerprint_sha256: p.fingerprintSha256,
    fingerprint_sha1: p.fingerprintSha1,
    subject_dn: p.subjectDn,
    issuer_dn: p.issuerDn,
    not_before: p.notBefore.toISOString(),
    not_after: p.notAfter.toISOString(),
    key_type: p.keyType,
    signature_algorithm: p.signatureAlgorithm,
    certificate_der: p.der,
  };
}

export function metadata(input: {
  owner?: string;
  description?: string;
  labels?: Record<string, string>;
  notify?: boolean;
}) {
  return {
    owner: input.owner ?? null,
    description: input.description ?? null,
    labels: JSON.stringify(input.labels ?? {}),
    notify: input.notify === false ? 0 : 1,
  };
}
