import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificates } from '../../crypto/parse.ts';
import { problemsOf, trustAnchors } from './checks.ts';

// Certificates made by openssl (a tool nobody here wrote): a root, a leaf it signed, and a SHA-1, 1024-bit one.
describe('problemsOf', () => {
  let dir: string;
  const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const read = (name: string) => parseCertificates(fs.readFileSync(path.join(dir, name), 'utf8'), name);

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tarsier-checks-'));
    ssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '30',
      '-subj',
      '/CN=Checks Root',
    ]);
    ssl([
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'leaf.key',
      '-out',
      'leaf.csr',
      '-subj',
      '/CN=www.example.com',
    ]);
    fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=DNS:www.example.com,IP:192.0.2.7\n');
    ssl([
      'x509',
      '-req',
      '-in',
      'leaf.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '10',
      '-extfile',
      'ext.cnf',
      '-out',
      'leaf.pem',
    ]);
    ssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:1024',
      '-sha1',
      '-nodes',
      '-keyout',
      'weak.key',
      '-out',
      'weak.pem',
      '-days',
      '30',
      '-subj',
      '/CN=weak.example.com',
    ]);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('trusts a chain that leads to an anchor, and checks names and addresses', () => {
    const [leaf] = read('leaf.pem');
    const anchors = trustAnchors([read('ca.pem')[0]!.der]);
    const now = new Date();
    expect(problemsOf(leaf!, [], anchors, now, 'www.example.com')).toEqual([]);
    expect(problemsOf(leaf!, [], anchors, now, '192.0.2.7')).toEqual([]);
    expect(problemsOf(leaf!, [], anchors, now, 'api.example.com')).toEqual(['hostname-mismatch']);
    expect(problemsOf(leaf!, [], anchors, now)).toEqual([]);
    expect(problemsOf(leaf!, [], anchors, new Date(now.getTime() + 20 * 86_400_000))).toEqual(['expired']);
    expect(problemsOf(leaf!, [], anchors, new Date(now.getTime() - 86_400_000))).toEqual(['not-yet-valid']);
  });

  it('does not trust a chain whose root is not an anchor, even when it is presented', () => {
    const [leaf] = read('leaf.pem');
    expect(problemsOf(leaf!, read('ca.pem'), trustAnchors([]), new Date())).toEqual(['untrusted-chain']);
  });

  it('flags a self-signed, 1024-bit, SHA-1 certificate for each of those', () => {
    const [weak] = read('weak.pem');
    expect(problemsOf(weak!, [], trustAnchors([]), new Date(), 'weak.example.com')).toEqual([
      'self-signed',
      'untrusted-chain',
      'weak-key',
      'sha1-signature',
    ]);
  });
});
