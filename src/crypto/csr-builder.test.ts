import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseCsr } from './csr.ts';
import { buildCsr } from './csr-builder.ts';
import { generateKeyPair } from './keys.ts';
import { KEY_TYPES } from './types.ts';

describe('buildCsr', () => {
  it.each(KEY_TYPES)('makes a %s request that openssl verifies and our parser reads back', async (type) => {
    const { privateKey, publicKey } = await generateKeyPair(type);
    const pem = buildCsr(
      { commonName: 'a.example' },
      { dns: ['a.example', 'b.example'], ip: ['10.0.0.1'] },
      privateKey,
      publicKey,
    );
    const text = execFileSync('openssl', ['req', '-noout', '-verify', '-text'], {
      input: pem,
      stdio: 'pipe',
    }).toString();
    expect(text).toMatch(/CN\s*=\s*a\.example/);
    expect(text).toContain('DNS:a.example, DNS:b.example, IP Address:10.0.0.1');
    const parsed = parseCsr(pem, 'csr');
    expect(parsed.sans.dns).toEqual(['a.example', 'b.example']);
    expect(parsed.keyType).toBe(type);
  });
});
