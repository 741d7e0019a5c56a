// Tarsier's own certificate authorities: create roots and intermediates, read them, and hand the issuing side
// (certificates/) a signer. Decrypted CA keys are cached in memory, since every issuance needs one.
import { createHash, type KeyObject } from 'node:crypto';
import { buildCertificate, randomSerial } from '../../crypto/certificate-builder.ts';
import { generateKeyPair } from '../../crypto/keys.ts';
import { normalizeCidr, normalizeDnsName, normalizeEmail, normalizeSubject } from '../../crypto/names.ts';
import { parseCertificate } from '../../crypto/parse.ts';
import { toPem } from '../../crypto/pem.ts';
import type { KeyType, NameConstraints } from '../../crypto/types.ts';
import type { Db } from '../../db/index.ts';
import type { AuthorityRow } from '../../db/schema.ts';
import { ConflictError, NotFoundError, PolicyError, ValidationError } from '../../errors.ts';
import { type AuditService, byCaller } from '../audit/service.ts';
import type { KeyService } from '../keys/service.ts';
import type { RequestContext } from '../request-context.ts';
import { type AuthorityPolicy, DEFAULT_POLICY, type IssuingChain } from './policy.ts';
import type { CreateAuthorityInput, UpdateAuthorityInput } from './schemas.ts';
import * as store from './store.ts';

const DAY = 86_400_000;

export interface AuthorityDeps {
  db: Db;
  keys: Pick<KeyService, 'store' | 'load'>;
  audit: Pick<AuditService, 'record'>;
  clock: () => Date;
  /** Told after an authority's settings change, so that caches elsewhere (OCSP signers) follow. */
  onUpdated?: (id: number) => void;
}

export interface IssuingAuthority {
  row: AuthorityRow;
  privateKey: KeyObject;
  chain: IssuingChain;
  /** PEM of the authority and its parents, issuer first: what a server sends after its leaf. */
  chainPem: string;
}

function normalizeConstraints(nc: NameConstraints | undefined): NameConstraints | undefined {
  if (!nc) return undefined;
  const f = 'nameConstraints';
  const dns = (xs?: string[], k = '') => xs?.map((v, i) => normalizeDnsName(v.replace(/^\./, ''), `${f}.${k}[${i}]`));
  const out: NameConstraints = {
    permittedDns: dns(nc.permittedDns, 'permittedDns'),
    excludedDns: dns(nc.excludedDns, 'excludedDns'),
    permittedIp: nc.permittedIp?.map((v, i) => normalizeCidr(v, `${f}.permittedIp[${i}]`)),
    excludedIp: nc.excludedIp?.map((v, i) => normalizeCidr(v, `${f}.excludedIp[${i}]`)),
    permittedEmail: nc.permittedEmail?.map((v, i) =>
      v.includes('@')
        ? normalizeEmail(v, `${f}.permittedEmail[${i}]`)
        : normalizeDnsName(v, `${f}.permittedEmail[${i}]`),
    ),
    excludedEmail: nc.excludedEmail?.map((v, i) =>
      v.includes('@') ? normalizeEmail(v, `${f}.excludedEmail[${i}]`) : normalizeDnsName(v, `${f}.excludedEmail[${i}]`),
    ),
  };
  const entries = Object.entries(out).filter(([, v]) => v && v.length > 0);
  return entries.length ? (Object.fromEntries(entries) as NameConstraints) : undefined;
}

/** A base URL for CRLs and OCSP: absolute http(s), no query or fragment; '' clears it. */
export function publicBaseUrl(value: string | undefined): string | null {
  if (value === undefined || value.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ValidationError('publicBaseUrl', `'${value}' is not an absolute URL (e.g. http://pki.example.com)`);
  }
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash || url.username) {
    throw new ValidationError(
      'publicBaseUrl',
      'must be a plain http:// or https:// URL without query, fragment or credentials',
    );
  }
  return url.toString().replace(/\/+$/, '');
}

/**
 * How long a cached signer is trusted before its settings are compared with the database again. Other processes
 * on the same PostgreSQL database change authorities too (a new public base URL must reach the certificates every
 * process issues), and the comparison is one indexed read, so it is done at most this often per authority.
 */
const SIGNER_RECHECK_MS = 2000;

/** The settings update() may change; a signer loaded before another process changed one of them is reloaded. */
const SETTINGS = ['owner', 'description', 'public_base_url', 'crl_validity_hours', 'ocsp_signer'] as const;

export function createAuthorityService({ db, keys, audit, clock, onUpdated }: AuthorityDeps) {
  const signers = new Map<number, { signer: Promise<IssuingAuthority>; checkedAt: number }>();

  /** Whether a cached signer still matches the stored authority (false: reload it). */
  async function stillCurrent(id: number, cached: { signer: Promise<IssuingAuthority>; checkedAt: number }) {
    cached.checkedAt = performance.now();
    const [signer, row] = await Promise.all([cached.signer, store.findAuthorityById(db, id)]);
    return row !== undefined && SETTINGS.every((k) => row[k] === signer.row[k]);
  }

  async function get(id: number): Promise<AuthorityRow> {
    const row = await store.findAuthorityById(db, id);
    if (!row) throw new NotFoundError('authority', id);
    return row;
  }

  /** The authority and its ancestors, the authority first. */
  async function lineage(id: number): Promise<AuthorityRow[]> {
    const out: AuthorityRow[] = [];
    for (let next: number | null = id; next !== null; ) {
      if (out.length > 20) throw new ConflictError(`authority ${id} has a parent loop`);
      const row: AuthorityRow = await get(next);
      out.push(row);
      next = row.parent_id;
    }
    return out;
  }

  async function loadIssuing(id: number): Promise<IssuingAuthority> {
    const rows = await lineage(id);
    const row = rows[0]!;
    return {
      row,
      privateKey: await keys.load(db, row.private_key_id),
      chain: rows.map((r) => ({
        name: r.name,
        notAfter: new Date(r.not_after),
        policy: JSON.parse(r.policy) as AuthorityPolicy,
      })),
      chainPem: rows.map((r) => toPem(r.certificate_der, 'CERTIFICATE')).join(''),
    };
  }

  return {
    get,
    lineage,

    /** Creates a self-signed root or an intermediate signed by parentId. Throws ValidationError, PolicyError, ConflictError. */
    async create(input: CreateAuthorityInput, ctx: RequestContext): Promise<AuthorityRow> {
      const subject = normalizeSubject(input.subject);
      if (!subject.commonName) throw new ValidationError('subject.commonName', 'is required');
      const nameConstraints = normalizeConstraints(input.nameConstraints);
      if (await store.findAuthorityByName(db, input.name)) {
        throw new ConflictError(`an authority named '${input.name}' exists already; choose another name`);
      }
      const keyType: KeyType = input.keyType ?? 'ec-p384';
      const now = clock();
      const notBefore = new Date(now.getTime() - 60_000);
      let notAfter = new Date(now.getTime() + (input.validityDays ?? (input.type === 'root' ? 3650 : 1825)) * DAY);
      let parent: IssuingAuthority | undefined;
      if (input.type === 'intermediate') {
        if (!input.parentId)
          throw new ValidationError(
            'parentId',
            'an intermediate authority needs the id of the authority that signs it',
          );
        parent = await this.signer(input.parentId);
        const parentNotAfter = new Date(parent.row.not_after);
        if (notAfter > parentNotAfter) {
          if (input.validityDays !== undefined) {
            throw new PolicyError(
              `validityDays: the intermediate would outlive its parent '${parent.row.name}' (expires ${parent.row.not_after})`,
            );
          }
          notAfter = parentNotAfter;
        }
        const parentPath = parent.row.path_length;
        if (parentPath !== null && parentPath < 1) {
          throw new PolicyError(
            `authority '${parent.row.name}' has path length 0: it may sign only end-entity certificates`,
          );
        }
        if (parentPath !== null && input.pathLength !== undefined && input.pathLength >= parentPath) {
          throw new PolicyError(`pathLength: must be less than the parent's path length (${parentPath})`);
        }
      } else if (input.parentId !== undefined) {
        throw new ValidationError(
          'parentId',
          'a root authority signs itself; leave parentId out or use type "intermediate"',
        );
      }
      const pair = await generateKeyPair(keyType);
      const der = buildCertificate(
        {
          serial: randomSerial(),
          subject,
          publicKey: pair.publicKey,
          notBefore,
          notAfter,
          basicConstraints: { ca: true, pathLength: input.pathLength, critical: true },
          keyUsages: ['digitalSignature', 'keyCertSign', 'cRLSign'],
          nameConstraints,
        },
        parent
          ? { certificateDer: parent.row.certificate_der, privateKey: parent.privateKey }
          : { privateKey: pair.privateKey },
      );
      const parsed = parseCertificate(der, 'certificate');
      const policy: AuthorityPolicy = {
        ...DEFAULT_POLICY,
        maxValidityDays: input.maxCertificateValidityDays ?? DEFAULT_POLICY.maxValidityDays,
        ...(input.allowedKeyTypes ? { allowedKeyTypes: input.allowedKeyTypes } : {}),
        allowCaCertificates: input.allowCaCertificates ?? false,
        ...(input.allowedRoles?.length ? { allowedRoles: input.allowedRoles } : {}),
        ...(input.unregisteredNames ? { unregisteredNames: input.unregisteredNames } : {}),
        ...(nameConstraints ? { nameConstraints } : {}),
      };
      const id = await db.transaction().execute(async (trx) => {
        const keyId = await keys.store(trx, pair.privateKey);
        const newId = await store.insertAuthority(trx, {
          name: input.name,
          type: input.type,
          parent_id: input.parentId ?? null,
          owner: input.owner ?? null,
          description: input.description ?? null,
          key_type: keyType,
          private_key_id: keyId,
          certificate_der: der,
          subject_dn: parsed.subjectDn,
          serial: parsed.serial,
          fingerprint_sha256: createHash('sha256').update(der).digest('hex'),
          not_before: parsed.notBefore.toISOString(),
          not_after: parsed.notAfter.toISOString(),
          path_length: input.pathLength ?? null,
          policy: JSON.stringify(policy),
          created_at: now.toISOString(),
          created_by: ctx.principal.actor,
          public_base_url: publicBaseUrl(input.publicBaseUrl),
          crl_shards: input.crlShards ?? 1,
          crl_validity_hours: input.crlValidityHours ?? 24,
          ocsp_signer: input.ocspSigner ?? 'delegated',
        });
        await audit.record(
          trx,
          byCaller(
            ctx,
            'authority.create',
            { type: 'authority', id: newId },
            { name: input.name, type: input.type, keyType, parentId: input.parentId ?? null },
          ),
        );
        return newId;
      });
      return get(id);
    },

    list: () => store.listAuthorities(db),

    /** Changes owner, description and publishing settings; certificates issued afterwards use them. */
    async update(id: number, input: UpdateAuthorityInput, ctx: RequestContext): Promise<AuthorityRow> {
      await get(id);
      const changes: Partial<Record<string, unknown>> = {};
      if (input.owner !== undefined) changes.owner = input.owner;
      if (input.description !== undefined) changes.description = input.description;
      if (input.publicBaseUrl !== undefined) changes.public_base_url = publicBaseUrl(input.publicBaseUrl);
      if (input.crlValidityHours !== undefined) changes.crl_validity_hours = input.crlValidityHours;
      if (input.ocspSigner !== undefined) changes.ocsp_signer = input.ocspSigner;
      await db.transaction().execute(async (trx) => {
        await store.updateAuthority(trx, id, changes);
        await audit.record(
          trx,
          byCaller(ctx, 'authority.update', { type: 'authority', id }, { fields: Object.keys(changes) }),
        );
      });
      signers.delete(id);
      onUpdated?.(id);
      return get(id);
    },

    /** The PEM chain from this authority up to its root. */
    async chainPem(id: number): Promise<string> {
      return (await lineage(id)).map((r) => toPem(r.certificate_der, 'CERTIFICATE')).join('');
    },

    /** The authority with its decrypted key and policy chain, for signing. Cached: CA keys are hot. */
    async signer(id: number): Promise<IssuingAuthority> {
      const cached = signers.get(id);
      if (cached && performance.now() - cached.checkedAt < SIGNER_RECHECK_MS) return cached.signer;
      if (cached && (await stillCurrent(id, cached).catch(() => false))) return cached.signer;
      if (cached && signers.get(id) === cached) {
        signers.delete(id);
        onUpdated?.(id); // changed elsewhere: what other services cache about it (OCSP signers) follows too
      }
      let entry = signers.get(id);
      if (!entry) {
        entry = { signer: loadIssuing(id), checkedAt: performance.now() };
        entry.signer.catch(() => signers.delete(id));
        signers.set(id, entry);
      }
      return entry.signer;
    },
  };
}

export type AuthorityService = ReturnType<typeof createAuthorityService>;
