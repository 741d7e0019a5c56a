// Who signs OCSP answers for an authority: the CA itself, or (the default) a delegated responder certificate
// that Tarsier issues with the id-kp-OCSPSigning usage and id-pkix-ocsp-nocheck, and replaces once a third of
// its 30-day life remains, so the CA key signs once a month instead of on every request.
import type { KeyObject } from 'node:crypto';
import { buildCertificate, randomSerial } from '../../crypto/certificate-builder.ts';
import { generateKeyPair } from '../../crypto/keys.ts';
import { parseCertificate } from '../../crypto/parse.ts';
import { EXTENDED_KEY_USAGES } from '../../crypto/types.ts';
import type { Db } from '../../db/index.ts';
import type { AuthorityService, IssuingAuthority } from '../authorities/service.ts';
import type { KeyService } from '../keys/service.ts';
import * as store from './store.ts';

const DAY = 86_400_000;
const LIFETIME_DAYS = 30;
/** The DER of the id-pkix-ocsp-nocheck extension value: NULL. */
const NOCHECK = { oid: '1.3.6.1.5.5.7.48.1.5', valueBase64: Buffer.from([0x05, 0x00]).toString('base64') };

export interface OcspSigner {
  certificateDer: Uint8Array;
  key: KeyObject;
  /** Certificates to include in responses: the delegated responder's own, none when the CA signs. */
  include: Uint8Array[];
  renewAfter: number;
}

export function createOcspSigners(deps: {
  db: Db;
  authorities: Pick<AuthorityService, 'signer' | 'get'>;
  keys: Pick<KeyService, 'store' | 'load'>;
  clock: () => Date;
}) {
  const { db, authorities, keys, clock } = deps;
  const cache = new Map<number, Promise<OcspSigner>>();

  async function issueDelegated(ca: IssuingAuthority): Promise<OcspSigner> {
    const now = clock();
    const pair = await generateKeyPair('ec-p256');
    const caNotAfter = new Date(ca.row.not_after).getTime();
    const notAfter = new Date(Math.min(now.getTime() + LIFETIME_DAYS * DAY, caNotAfter));
    const cn =
      `${parseCertificate(ca.row.certificate_der, 'authority').commonName ?? ca.row.name} OCSP Responder`.slice(0, 64);
    const der = buildCertificate(
      {
        serial: randomSerial(),
        subject: { commonName: cn },
        publicKey: pair.publicKey,
        notBefore: new Date(now.getTime() - 60_000),
        notAfter,
        keyUsages: ['digitalSignature'],
        extendedKeyUsages: [EXTENDED_KEY_USAGES.ocspSigning],
        extraExtensions: [NOCHECK],
      },
      { certificateDer: ca.row.certificate_der, privateKey: ca.privateKey },
    );
    await db.transaction().execute(async (trx) => {
      const keyId = await keys.store(trx, pair.privateKey);
      await store.setOcspSigner(trx, ca.row.id, keyId, der);
    });
    return signerFrom(der, pair.privateKey, now.getTime(), notAfter.getTime());
  }

  function signerFrom(der: Uint8Array, key: KeyObject, from: number, until: number): OcspSigner {
    return { certificateDer: der, key, include: [der], renewAfter: until - (until - from) / 3 };
  }

  async function load(authorityId: number): Promise<OcspSigner> {
    const ca = await authorities.signer(authorityId);
    const row = await authorities.get(authorityId);
    if (row.ocsp_signer === 'ca') {
      return {
        certificateDer: ca.row.certificate_der,
        key: ca.privateKey,
        include: [],
        renewAfter: Number.POSITIVE_INFINITY,
      };
    }
    if (row.ocsp_key_id !== null && row.ocsp_certificate_der) {
      const parsed = parseCertificate(row.ocsp_certificate_der, 'ocsp signer');
      const signer = signerFrom(
        row.ocsp_certificate_der,
        await keys.load(db, row.ocsp_key_id),
        parsed.notBefore.getTime(),
        parsed.notAfter.getTime(),
      );
      if (signer.renewAfter > clock().getTime()) return signer;
    }
    return issueDelegated(ca);
  }

  return {
    /** The current signer of an authority's OCSP answers, renewed when due. */
    async get(authorityId: number): Promise<OcspSigner> {
      const cached = cache.get(authorityId);
      if (cached) {
        const s = await cached.catch(() => undefined);
        if (s && s.renewAfter > clock().getTime()) return s;
      }
      const next = load(authorityId);
      cache.set(authorityId, next);
      next.catch(() => cache.delete(authorityId));
      return next;
    },
    forget: (authorityId: number) => cache.delete(authorityId),
  };
}
