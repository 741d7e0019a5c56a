// Revocation checking of certificates Tarsier did not issue (imported ones): ask the OCSP responder named in the
// certificate, and where there is none (or it does not answer) read the CRL it names; a revoked certificate is
// marked revoked with the CA's reason. Answers count only when signed by the certificate's issuer (from the
// chain imported with it), so a spoofed "revoked" cannot take a certificate out of service.
import { X509Certificate } from 'node:crypto';
import { CRLDistributionPointsExtension, X509Certificate as PeculiarCertificate, X509Crl } from '@peculiar/x509';
import { buildOcspRequest, readOcspResponse, reasonName } from '../../crypto/ocsp-client.ts';
import type { Db } from '../../db/index.ts';
import type { CertificateService } from '../certificates/service.ts';
import type { PluginLogger } from '../issuers/plugin.ts';
import * as store from './store.ts';

export interface RevocationCheckDeps {
  db: Db;
  certificates: Pick<CertificateService, 'recordExternalRevocation'>;
  clock: () => Date;
  log: PluginLogger;
}

type Verdict = Pick<store.CheckRow, 'method' | 'status' | 'detail'> & { revokedAt?: Date; reason?: string };

const TIMEOUT = 10_000;

function issuerOf(leaf: X509Certificate, chainPem: string | null): X509Certificate | undefined {
  const pems = chainPem?.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return pems.map((p) => new X509Certificate(p)).find((c) => leaf.checkIssued(c) && leaf.verify(c.publicKey));
}

const ocspUrls = (leaf: X509Certificate) =>
  [...(leaf.infoAccess ?? '').matchAll(/^OCSP - URI:(\S+)$/gm)].map((m) => m[1]!).filter((u) => /^https?:/.test(u));

function crlUrls(leaf: X509Certificate): string[] {
  const ext = new PeculiarCertificate(leaf.raw).getExtension(CRLDistributionPointsExtension);
  return (ext?.distributionPoints ?? [])
    .flatMap((dp) => dp.distributionPoint?.fullName ?? [])
    .map((n) => n.uniformResourceIdentifier)
    .filter((u): u is string => Boolean(u && /^https?:/.test(u)));
}

async function askOcsp(url: string, leaf: X509Certificate, issuer: X509Certificate): Promise<Verdict> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/ocsp-request' },
    body: buildOcspRequest(leaf, issuer),
    signal: AbortSignal.timeout(TIMEOUT),
  });
  if (!res.ok) throw new Error(`OCSP responder ${url} answered HTTP ${res.status}`);
  const answer = readOcspResponse(new Uint8Array(await res.arrayBuffer()), leaf, issuer);
  if (answer.status !== 'revoked') return { method: 'ocsp', status: answer.status, detail: url };
  return { method: 'ocsp', status: 'revoked', detail: url, revokedAt: answer.revokedAt, reason: answer.reason };
}

async function readCrl(url: string, leaf: X509Certificate, issuer: X509Certificate): Promise<Verdict> {
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT) });
  if (!res.ok) throw new Error(`CRL ${url} answered HTTP ${res.status}`);
  const crl = new X509Crl(new Uint8Array(await res.arrayBuffer()));
  if (!(await crl.verify({ publicKey: new PeculiarCertificate(issuer.raw).publicKey })))
    throw new Error(`the CRL at ${url} is not signed by the certificate's issuer`);
  const serial = leaf.serialNumber.toLowerCase().replace(/^0+/, '');
  const entry = crl.entries.find((e) => e.serialNumber.toLowerCase().replace(/^0+/, '') === serial);
  if (!entry) return { method: 'crl', status: 'good', detail: url };
  return {
    method: 'crl',
    status: 'revoked',
    detail: url,
    revokedAt: entry.revocationDate,
    reason: reasonName(entry.reason ?? 0),
  };
}

/** OCSP first, the CRL when there is no responder or it fails; never throws (errors are the verdict). */
export async function checkRevocation(leaf: X509Certificate, chainPem: string | null): Promise<Verdict> {
  const issuer = issuerOf(leaf, chainPem);
  if (!issuer)
    return {
      method: 'none',
      status: 'unknown',
      detail: 'the issuer certificate is unknown: import the certificate with its chain',
    };
  const errors: string[] = [];
  for (const url of ocspUrls(leaf)) {
    try {
      return await askOcsp(url, leaf, issuer);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  for (const url of crlUrls(leaf)) {
    try {
      return await readCrl(url, leaf, issuer);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  if (errors.length) return { method: 'none', status: 'error', detail: errors.join('; ') };
  return { method: 'none', status: 'unknown', detail: 'the certificate names no OCSP responder and no CRL' };
}

export function createRevocationChecks(deps: RevocationCheckDeps) {
  const { db, clock, log } = deps;
  return {
    /** One pass: checks up to `limit` live imported certificates, least recently checked first. */
    async runDue(limit = 500): Promise<Record<string, number>> {
      const counts: Record<string, number> = { good: 0, revoked: 0, unknown: 0, error: 0 };
      for (const c of await store.certificatesToCheck(db, clock().toISOString(), limit)) {
        const v = await checkRevocation(new X509Certificate(c.certificate_der), c.chain_pem);
        counts[v.status]!++;
        if (v.status === 'revoked') {
          await deps.certificates.recordExternalRevocation(c.id, v.revokedAt!.toISOString(), v.reason!, v.method);
        } else if (v.status === 'error') {
          log.warn({ certificateId: c.id, err: v.detail }, 'revocation check failed');
        }
        await store.saveCheck(db, {
          certificate_id: c.id,
          method: v.method,
          status: v.status,
          detail: v.detail,
          checked_at: clock().toISOString(),
        });
      }
      return counts;
    },
  };
}

export type RevocationChecks = ReturnType<typeof createRevocationChecks>;
