// Shapes certificate rows for the API. Lists use stored columns only, so one row whose DER cannot be parsed
// never breaks a page; the detail view parses and reports failures in `problems` instead of failing.
import { parseCertificate, parseCertificates } from '../../crypto/parse.ts';
import { toPem } from '../../crypto/pem.ts';
import type { CertificateRow } from '../../db/schema.ts';

export function statusOf(r: Pick<CertificateRow, 'revoked_at' | 'not_after' | 'not_before'>, now: Date): string {
  if (r.revoked_at) return 'revoked';
  const iso = now.toISOString();
  if (r.not_after <= iso) return 'expired';
  if (r.not_before > iso) return 'not-yet-valid';
  return 'valid';
}

function parseJson<T>(text: string | null, fallback: T, problems: string[], what: string): T {
  try {
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    problems.push(`${what} could not be read`);
    return fallback;
  }
}

export function certificateSummary(r: CertificateRow, now: Date) {
  const problems: string[] = [];
  const sans = parseJson(r.sans, { dns: [], ip: [], email: [], uri: [] }, problems, 'the stored SANs');
  return {
    id: r.id,
    commonName: r.common_name || null,
    sans: { dns: sans.dns ?? [], ip: sans.ip ?? [], email: sans.email ?? [], uri: sans.uri ?? [] },
    serial: r.serial,
    fingerprintSha256: r.fingerprint_sha256,
    fingerprintSha1: r.fingerprint_sha1,
    subjectDn: r.subject_dn,
    issuerDn: r.issuer_dn,
    notBefore: r.not_before,
    notAfter: r.not_after,
    keyType: r.key_type,
    signatureAlgorithm: r.signature_algorithm,
    status: statusOf(r, now),
    authorityId: r.authority_id,
    issuerId: r.issuer_id,
    origin: r.origin,
    owner: r.owner,
    description: r.description,
    labels: parseJson<Record<string, string>>(r.labels, {}, problems, 'the stored labels'),
    notify: Number(r.notify) === 1,
    hasKey: r.private_key_id !== null,
    revokedAt: r.revoked_at,
    revocationReason: r.revocation_reason,
    archivedAt: r.archived_at,
    replacesId: r.replaces_id,
    replacedById: r.replaced_by_id,
    createdAt: r.created_at,
    createdBy: r.created_by,
    problems,
  };
}

export function certificateWithPem(r: CertificateRow, now: Date) {
  return { ...certificateSummary(r, now), pem: toPem(r.certificate_der, 'CERTIFICATE'), chainPem: r.chain_pem };
}

type Event = { at: string; actor: string; action: string; outcome: string; clientAddress: string | null };

export function certificateDetail(r: CertificateRow, now: Date, events: Event[]) {
  const base = certificateWithPem(r, now);
  const empty = {
    subject: {},
    isCa: false,
    pathLength: null,
    keyUsages: [],
    extendedKeyUsages: [],
    subjectKeyIdentifier: null,
    authorityKeyIdentifier: null,
    extensions: [],
    chain: [],
    events,
  };
  try {
    const p = parseCertificate(r.certificate_der, 'certificate');
    let chain: Array<{
      subjectDn: string;
      issuerDn: string;
      serial: string;
      notAfter: string;
      fingerprintSha256: string;
    }> = [];
    try {
      chain = r.chain_pem
        ? parseCertificates(r.chain_pem, 'chain').map((c) => ({
            subjectDn: c.subjectDn,
            issuerDn: c.issuerDn,
            serial: c.serial,
            notAfter: c.notAfter.toISOString(),
            fingerprintSha256: c.fingerprintSha256,
          }))
        : [];
    } catch {
      base.problems.push('the stored chain could not be parsed');
    }
    return {
      ...base,
      ...empty,
      subject: Object.fromEntries(Object.entries(p.subject).filter(([, v]) => typeof v === 'string')) as Record<
        string,
        string
      >,
      isCa: p.isCa,
      pathLength: p.pathLength ?? null,
      keyUsages: p.keyUsages,
      extendedKeyUsages: p.extendedKeyUsages,
      subjectKeyIdentifier: p.subjectKeyIdentifier ?? null,
      authorityKeyIdentifier: p.authorityKeyIdentifier ?? null,
      extensions: p.extensions,
      chain,
    };
  } catch (e) {
    base.problems.push(`the certificate could not be parsed: ${(e as Error).message}`);
    return { ...base, ...empty };
  }
}
