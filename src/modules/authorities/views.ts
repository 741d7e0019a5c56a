// Shapes authority rows for the API. The response schema drops anything not declared here.
import { parseCertificate } from '../../crypto/parse.ts';
import { toPem } from '../../crypto/pem.ts';
import type { AuthorityRow } from '../../db/schema.ts';
import { crlPath, joinUrl, ocspPath } from '../revocation/urls.ts';

export function authorityView(r: AuthorityRow) {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    parentId: r.parent_id,
    owner: r.owner,
    description: r.description,
    keyType: r.key_type,
    subjectDn: r.subject_dn,
    serial: r.serial,
    fingerprintSha256: r.fingerprint_sha256,
    notBefore: r.not_before,
    notAfter: r.not_after,
    pathLength: r.path_length,
    policy: JSON.parse(r.policy),
    pem: toPem(r.certificate_der, 'CERTIFICATE'),
    createdAt: r.created_at,
    createdBy: r.created_by,
    publicBaseUrl: r.public_base_url,
    crlShards: r.crl_shards,
    crlValidityHours: r.crl_validity_hours,
    ocspSigner: r.ocsp_signer,
    crlUrls: r.public_base_url
      ? Array.from({ length: r.crl_shards }, (_, s) => joinUrl(r.public_base_url!, crlPath(r.id, s, r.crl_shards)))
      : [],
    ocspUrl: r.public_base_url ? joinUrl(r.public_base_url, ocspPath(r.id)) : null,
  };
}

export function authorityDetailView(r: AuthorityRow, lineage: AuthorityRow[]) {
  const parsed = parseCertificate(r.certificate_der, 'certificate');
  return {
    ...authorityView(r),
    subject: parsed.subject,
    extensions: parsed.extensions,
    chainIds: lineage.map((a) => a.id),
  };
}
