// Issuing from a Tarsier authority: validate and plan first (bad input costs no key generation), then generate
// the key or take the CSR's, sign, and commit row, encrypted key and audit event in one transaction. The signing
// half (signWithAuthority) also serves the `internal` issuer plugin, so both paths apply one policy pipeline.
import { createHash, type KeyObject } from 'node:crypto';
import { buildCertificate } from '../../crypto/certificate-builder.ts';
import { crlShardOf } from '../../crypto/crl.ts';
import { parseCsr } from '../../crypto/csr.ts';
import { describeSpec } from '../../crypto/describe.ts';
import { keyPool } from '../../crypto/key-pool.ts';
import { keyTypeOf } from '../../crypto/keys.ts';
import type { CertificateSpec, KeyType, ParsedCsr } from '../../crypto/types.ts';
import { createTransactionBatcher, directCommits } from '../../db/batch.ts';
import type { DialectOps } from '../../db/dialect.ts';
import type { Db } from '../../db/index.ts';
import type { AuthorityRow, CertificateRow, NewCertificateRow } from '../../db/schema.ts';
import { ConflictError, ValidationError } from '../../errors.ts';
import { type AuditService, byCaller } from '../audit/service.ts';
import { checkIssuancePolicy } from '../authorities/policy.ts';
import type { AuthorityService, IssuingAuthority } from '../authorities/service.ts';
import { requireAuthorityAccess, resolveOwner } from '../identity/ownership.ts';
import type { KeyService } from '../keys/service.ts';
import type { RequestContext } from '../request-context.ts';
import { crlPath, joinUrl, ocspPath } from '../revocation/urls.ts';
import { type IssuePlan, planIssuance } from './issue-plan.ts';
import { metadata, searchText } from './rows.ts';
import type { IssueInput } from './schemas.ts';
import * as store from './store.ts';

export interface IssuanceDeps {
  db: Db;
  dialect: Pick<DialectOps, 'groupsCommits'>;
  keys: Pick<KeyService, 'store'>;
  audit: Pick<AuditService, 'record'>;
  authorities: Pick<AuthorityService, 'signer'>;
  clock: () => Date;
}

/** The CRL distribution point and OCSP URL a certificate names, when its authority publishes them. */
function publishedUrls(ca: AuthorityRow, shard: number): Pick<CertificateSpec, 'crlDistributionPoints' | 'ocspUrls'> {
  if (!ca.public_base_url) return {};
  return {
    crlDistributionPoints: [joinUrl(ca.public_base_url, crlPath(ca.id, shard, ca.crl_shards))],
    ocspUrls: [joinUrl(ca.public_base_url, ocspPath(ca.id))],
  };
}

export interface SignedCertificate {
  der: Uint8Array;
  plan: IssuePlan;
  serialHex: string;
  crlShard: number;
  publicKey: KeyObject;
  /** The key made here, when no CSR brought one. */
  privateKey?: KeyObject;
}

/**
 * The one place a Tarsier authority signs: plans `input` (and its CSR), applies the authority's policy pipeline,
 * makes the key only then (bad input costs no key generation) unless the CSR brings one, and signs with the CRL
 * and OCSP URLs the authority publishes. Used by `authorityId` issuance and by the `internal` issuer plugin.
 * Throws ValidationError (input), PolicyError (the authority forbids it).
 */
export async function signWithAuthority(
  ca: IssuingAuthority,
  input: IssueInput,
  now: Date,
  csr?: ParsedCsr,
): Promise<SignedCertificate> {
  const keyType = csr?.keyType ?? input.keyType ?? 'ec-p256';
  const plan = planIssuance(input, keyType, now, ca.chain[0]!.policy.maxValidityDays, csr);
  checkIssuancePolicy({ ...plan.draft, keyType }, ca.chain);
  const fresh = csr ? undefined : await keyPool.take(keyType as KeyType);
  const publicKey = csr?.publicKey ?? fresh!.publicKey;
  const serialHex = Buffer.from(plan.spec.serial).toString('hex');
  const crlShard = crlShardOf(serialHex, ca.row.crl_shards);
  const der = buildCertificate(
    { ...plan.spec, ...publishedUrls(ca.row, crlShard), publicKey },
    { certificateDer: ca.row.certificate_der, privateKey: ca.privateKey },
  );
  return { der, plan, serialHex, crlShard, publicKey, privateKey: fresh?.privateKey };
}

/** Another process (or request) rotated the certificate first: this issuance is rolled back, never doubled. */
export const alreadyRotated = (id: number) =>
  new ConflictError(`certificate ${id} was rotated by another request at the same time; use its replacement`);

export function createIssuance({ db, dialect, keys, audit, authorities, clock }: IssuanceDeps) {
  const commits = dialect.groupsCommits ? createTransactionBatcher(db) : directCommits(db);
  /**
   * Signs and stores one certificate; `replaces` links a rotation. Returns the stored row.
   * Throws ValidationError (input), PolicyError (the authority forbids it), NotFoundError (no such authority).
   */
  return async function issue(
    input: IssueInput,
    ctx: RequestContext,
    replaces?: CertificateRow,
  ): Promise<CertificateRow> {
    if (input.authorityId === undefined) {
      throw new ValidationError(
        'authorityId',
        'give authorityId (a Tarsier authority) or issuerId (an external issuer)',
      );
    }
    if (input.issuerOptions !== undefined) {
      throw new ValidationError(
        'issuerOptions',
        'applies to external issuers only; a Tarsier authority takes the options above',
      );
    }
    const ca = await authorities.signer(input.authorityId);
    requireAuthorityAccess(ctx.principal, ca.row.name, ca.chain[0]!.policy.allowedRoles);
    const owner = resolveOwner(ctx.principal, input.owner);
    let csr: ParsedCsr | undefined;
    if (input.csr) {
      if (input.keyType) {
        throw new ValidationError('keyType', "the CSR's key is certified; leave keyType out when sending a CSR");
      }
      csr = parseCsr(input.csr, 'csr');
    }
    const now = clock();
    const {
      der,
      plan,
      serialHex: serial,
      crlShard,
      publicKey,
      privateKey,
    } = await signWithAuthority(ca, input, now, csr);
    const fingerprintSha256 = createHash('sha256').update(der).digest('hex');
    const fingerprintSha1 = createHash('sha1').update(der).digest('hex');
    const { csr: _csr, ...params } = input;
    const row: Omit<NewCertificateRow, 'private_key_id'> = {
      authority_id: ca.row.id,
      origin: 'issued',
      common_name: plan.commonName,
      sans: JSON.stringify(plan.sans),
      search_text: searchText({ commonName: plan.commonName, sans: plan.sans }),
      serial,
      fingerprint_sha256: fingerprintSha256,
      fingerprint_sha1: fingerprintSha1,
      ...describeSpec(plan.spec.subject, ca.privateKey, plan.spec.signatureHash),
      issuer_dn: ca.row.subject_dn,
      not_before: plan.spec.notBefore.toISOString(),
      not_after: plan.spec.notAfter.toISOString(),
      key_type: keyTypeOf(publicKey),
      certificate_der: der,
      chain_pem: ca.chainPem,
      crl_shard: crlShard,
      ...metadata({ ...input, owner }),
      replaces_id: replaces?.id ?? null,
      issue_params: JSON.stringify({ ...params, owner, fromCsr: Boolean(csr) }),
      created_at: now.toISOString(),
      created_by: ctx.principal.actor,
    };
    return commits.run(async (trx) => {
      const keyId = privateKey ? await keys.store(trx, privateKey) : null;
      const stored = await store.insertCertificateReturning(trx, { ...row, private_key_id: keyId });
      const newId = stored.id;
      if (replaces && !(await store.markReplaced(trx, replaces.id, newId))) throw alreadyRotated(replaces.id);
      await audit.record(
        trx,
        byCaller(
          ctx,
          replaces ? 'certificate.rotate' : 'certificate.issue',
          { type: 'certificate', id: newId },
          {
            authorityId: ca.row.id,
            serial,
            commonName: plan.commonName,
            fromCsr: Boolean(csr),
            replaces: replaces?.id ?? null,
          },
        ),
      );
      return stored;
    });
  };
}
