// What is wrong with a discovered certificate, in stable codes the API and UI share. The chain is built from
// what was presented up to a trust anchor: the system trust store (read once) or one of Tarsier's own
// authorities. Pure apart from that one file read; signatures are checked by node:crypto, not by name alone.

import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { ParsedCertificate } from '../../crypto/types.ts';

export const PROBLEMS = [
  'expired',
  'not-yet-valid',
  'self-signed',
  'untrusted-chain',
  'hostname-mismatch',
  'weak-key',
  'sha1-signature',
] as const;
export type Problem = (typeof PROBLEMS)[number];

const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export interface TrustAnchors {
  bySubject: Map<string, X509Certificate[]>;
  fingerprints: Set<string>;
}

let systemAnchors: X509Certificate[] | undefined;

/** The operating system's trust store (Debian's bundle), or Node's built-in roots where there is none. */
function systemTrust(): X509Certificate[] {
  if (!systemAnchors) {
    const text = fs.existsSync(SYSTEM_BUNDLE)
      ? fs.readFileSync(SYSTEM_BUNDLE, 'utf8')
      : tls.rootCertificates.join('\n');
    const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    systemAnchors = blocks.flatMap((b) => {
      try {
        return [new X509Certificate(b)];
      } catch {
        return [];
      }
    });
  }
  return systemAnchors;
}

/** Anchors for one run: the system's plus Tarsier's authorities (DER as stored). */
export function trustAnchors(authorityDers: Uint8Array[]): TrustAnchors {
  const all = [...systemTrust(), ...authorityDers.map((d) => new X509Certificate(d))];
  const bySubject = new Map<string, X509Certificate[]>();
  for (const c of all) bySubject.set(c.subject, [...(bySubject.get(c.subject) ?? []), c]);
  return { bySubject, fingerprints: new Set(all.map((c) => c.fingerprint256)) };
}

/** True when a path of valid signatures leads from `leaf` through `presented` to an anchor. */
function chainsToAnchor(leaf: X509Certificate, presented: X509Certificate[], anchors: TrustAnchors): boolean {
  let current = leaf;
  for (let depth = 0; depth < 10; depth++) {
    if (anchors.fingerprints.has(current.fingerprint256)) return true;
    const anchor = (anchors.bySubject.get(current.issuer) ?? []).find((a) => current.verify(a.publicKey));
    if (anchor) return true;
    const next = presented.find(
      (c) => c.subject === current.issuer && c.fingerprint256 !== current.fingerprint256 && current.verify(c.publicKey),
    );
    if (!next) return false;
    current = next;
  }
  return false;
}

function isWeakKey(p: ParsedCertificate): boolean {
  const d = p.publicKey.asymmetricKeyDetails;
  const type = p.publicKey.asymmetricKeyType;
  if (type === 'rsa' || type === 'rsa-pss' || type === 'dsa') return (d?.modulusLength ?? 0) < 2048;
  if (type === 'ec') return ['secp192k1', 'prime192v1', 'secp224r1', 'secp224k1'].includes(d?.namedCurve ?? '');
  return false;
}

function nameMatches(leaf: X509Certificate, name: string): boolean {
  return net.isIP(name) ? leaf.checkIP(name) !== undefined : leaf.checkHost(name) !== undefined;
}

/**
 * The problems of `leaf` (with the chain that came with it), in PROBLEMS order. `name` is the host name or
 * address the certificate was reached by (SNI, else the host), for TLS endpoints only.
 */
export function problemsOf(
  leaf: ParsedCertificate,
  chain: ParsedCertificate[],
  anchors: TrustAnchors,
  now: Date,
  name?: string,
): Problem[] {
  const x = new X509Certificate(leaf.der);
  const presented = chain.map((c) => new X509Certificate(c.der));
  const found = new Set<Problem>();
  if (leaf.notAfter.getTime() < now.getTime()) found.add('expired');
  if (leaf.notBefore.getTime() > now.getTime()) found.add('not-yet-valid');
  if (leaf.selfSigned) found.add('self-signed');
  if (!chainsToAnchor(x, presented, anchors)) found.add('untrusted-chain');
  if (name !== undefined && !nameMatches(x, name)) found.add('hostname-mismatch');
  if (isWeakKey(leaf)) found.add('weak-key');
  const signedBySha1 = [leaf, ...chain.filter((c) => !c.selfSigned)].some((c) => /sha-?1/i.test(c.signatureAlgorithm));
  if (signedBySha1) found.add('sha1-signature');
  return PROBLEMS.filter((p) => found.has(p));
}
