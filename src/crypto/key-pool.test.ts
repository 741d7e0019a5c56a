// The key pool hands out each pair once, as matching keys of the type asked for, and refills pooled types in the
// background.
import { sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { createKeyPool } from './key-pool.ts';
import { exportPrivateKeyDer, keyTypeOf, publicKeySpki } from './keys.ts';
import type { KeyType } from './types.ts';

const waitFor = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('key pool', () => {
  it.each<KeyType>(['ec-p256', 'ec-p384', 'ed25519', 'rsa-2048'])('gives matching, fresh %s pairs', async (type) => {
    const pool = createKeyPool({ size: 4 });
    pool.open();
    try {
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) {
        if (i === 1) await waitFor(() => pool.available(type) > 0 || type === 'rsa-2048');
        const { publicKey, privateKey } = await pool.take(type);
        expect(keyTypeOf(privateKey)).toBe(type);
        expect(keyTypeOf(publicKey)).toBe(type);
        // Pooled pairs come with encodings assembled from the worker's JWK: they must be OpenSSL's, byte for byte.
        expect(Buffer.from(publicKeySpki(publicKey))).toEqual(publicKey.export({ type: 'spki', format: 'der' }));
        expect(Buffer.from(publicKeySpki(privateKey))).toEqual(publicKey.export({ type: 'spki', format: 'der' }));
        expect(Buffer.from(exportPrivateKeyDer(privateKey))).toEqual(
          privateKey.export({ type: 'pkcs8', format: 'der' }),
        );
        const key = privateKey;
        const digest = type === 'ed25519' ? null : 'sha256';
        expect(verify(digest, Buffer.from('tarsier'), publicKey, sign(digest, Buffer.from('tarsier'), key))).toBe(true);
        seen.add(Buffer.from(publicKeySpki(publicKey)).toString('hex'));
        if (type === 'rsa-2048' && i === 1) break; // slow to make; two show the same
      }
      expect(seen.size).toBe(type === 'rsa-2048' ? 2 : 6);
    } finally {
      await pool.close();
    }
  });

  it('fills only the types asked for, in batches after takes, and empties when stopped', async () => {
    const pool = createKeyPool({ size: 4 });
    pool.open();
    expect(pool.available('ec-p256')).toBe(0);
    await pool.take('ec-p256'); // made on the spot; asks the worker for a batch of 2
    await waitFor(() => pool.available('ec-p256') === 2);
    expect(pool.available('ed25519')).toBe(0);
    await pool.take('ec-p256');
    expect(pool.available('ec-p256')).toBe(1);
    await waitFor(() => pool.available('ec-p256') === 3);
    expect(pool.available('ec-p256')).toBe(3);
    await pool.take('rsa-2048');
    expect(pool.available('rsa-2048')).toBe(0); // made on demand, never kept
    await pool.close();
    expect(pool.available('ec-p256')).toBe(0);
    // Closed: keys are still made, on demand, and none is kept ready.
    await pool.take('ec-p256');
    await new Promise((r) => setTimeout(r, 100));
    expect(pool.available('ec-p256')).toBe(0);
  });

  it('refuses a type it does not make', async () => {
    const pool = createKeyPool();
    pool.open();
    await expect(pool.take('rsa-1024' as KeyType)).rejects.toThrow(ValidationError);
    await pool.close();
  });
});
