// Test helpers shared by the crypto tests (not a test file itself): temporary directories, the real `openssl`
// binary as the independent judge of what we encode, and ready-made certificate chains.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCertificate, randomSerial } from './certificate-builder.ts';
import { generateKeyPair, type KeyPair } from './keys.ts';
import { toPem } from './pem.ts';
import type { CertificateSpec, KeyType } from './types.ts';

export interface TempDir {
  path: string;
  write(name: string, data: string | Uint8Array): string;
  remove(): void;
}

export function tempDir(): TempDir {
  const path = mkdtempSync(join(tmpdir(), 'tarsier-crypto-'));
  return {
    path,
    write: (name, data) => {
      const file = join(path, name);
      writeFileSync(file, data);
      return file;
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** Runs openssl; returns stdout, or throws with stdout + stderr in the message. */
export function openssl(args: string[], cwd?: string, input?: string | Uint8Array): string {
  try {
    return execFileSync('openssl', args, { cwd, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`openssl ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** Binary output of openssl (e.g. -outform DER). */
export function opensslBytes(args: string[], cwd?: string): Uint8Array {
  return new Uint8Array(execFileSync('openssl', args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] }));
}

export const DAY = 86_400_000;

export function validity(days: number, from = new Date()): Pick<CertificateSpec, 'notBefore' | 'notAfter'> {
  return { notBefore: new Date(from.getTime() - 60_000), notAfter: new Date(from.getTime() + days * DAY) };
}

export interface Issued {
  der: Uint8Array;
  pem: string;
  keys: KeyPair;
}

/** A self-signed root: CA, pathlen 1, keyCertSign + cRLSign. */
export async function makeRoot(type: KeyType, extra: Partial<CertificateSpec> = {}): Promise<Issued> {
  const keys = await generateKeyPair(type);
  const der = buildCertificate(
    {
      serial: randomSerial(),
      subject: { commonName: `Test Root ${type}`, organization: 'Tarsier Tests', country: 'DE' },
      publicKey: keys.publicKey,
      ...validity(3650),
      basicConstraints: { ca: true, pathLength: 1 },
      keyUsages: ['keyCertSign', 'cRLSign'],
      ...extra,
    },
    { privateKey: keys.privateKey },
  );
  return { der, pem: toPem(der, 'CERTIFICATE'), keys };
}

/** A certificate issued by `issuer` for a fresh key of `type`. */
export async function issue(issuer: Issued, type: KeyType, spec: Partial<CertificateSpec>): Promise<Issued> {
  const keys = await generateKeyPair(type);
  const der = buildCertificate(
    { serial: randomSerial(), subject: { commonName: 'test' }, publicKey: keys.publicKey, ...validity(90), ...spec },
    { privateKey: issuer.keys.privateKey, certificateDer: issuer.der },
  );
  return { der, pem: toPem(der, 'CERTIFICATE'), keys };
}

/** `openssl verify -x509_strict` of leaf against root (+ intermediate); returns openssl's output either way. */
export function verifyChain(dir: TempDir, root: Issued, intermediate: Issued | undefined, leaf: Issued) {
  const args = ['verify', '-x509_strict', '-CAfile', dir.write('root.pem', root.pem)];
  if (intermediate) args.push('-untrusted', dir.write('inter.pem', intermediate.pem));
  args.push(dir.write('leaf.pem', leaf.pem));
  try {
    return { ok: true, output: openssl(args) };
  } catch (error) {
    return { ok: false, output: (error as Error).message };
  }
}

/** `openssl x509 -noout -text` of a certificate. */
export function certificateText(dir: TempDir, cert: Issued): string {
  return openssl(['x509', '-noout', '-text', '-in', dir.write('show.pem', cert.pem)]);
}
