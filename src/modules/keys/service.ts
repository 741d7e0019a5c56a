// The private key store: keys go in as KeyObjects and are sealed with envelope encryption (crypto/envelope.ts);
// plaintext exists only in memory. The row id is bound into nothing (it is unknown before insert), so the key
// type is used as associated data instead: a row's ciphertext cannot be replayed as another kind of key.
import type { KeyObject } from 'node:crypto';
import { createPrivateKey } from 'node:crypto';
import type { createKeyring } from '../../crypto/envelope.ts';
import { exportPrivateKeyDer, keyTypeOf } from '../../crypto/keys.ts';
import type { Db } from '../../db/index.ts';
import { NotFoundError } from '../../errors.ts';
import * as store from './store.ts';

type Keyring = ReturnType<typeof createKeyring>;

export function createKeyService({ keyring, clock }: { keyring: Keyring; clock: () => Date }) {
  return {
    /** Encrypts and stores a private key with `exec` (the caller's transaction); returns its id. */
    async store(exec: Db, key: KeyObject): Promise<number> {
      const keyType = keyTypeOf(key);
      const der = exportPrivateKeyDer(key);
      try {
        const sealed = keyring.seal(der, `private-key:${keyType}`);
        return await store.insertKey(exec, {
          key_type: keyType,
          master_key_id: sealed.masterKeyId,
          wrapped_dek: sealed.wrappedDek,
          ciphertext: sealed.ciphertext,
          created_at: clock().toISOString(),
        });
      } finally {
        der.fill(0);
      }
    },

    /** Decrypts a stored key. Callers that hand it to a person must audit the read themselves. */
    async load(exec: Db, id: number): Promise<KeyObject> {
      const row = await store.findKey(exec, id);
      if (!row) throw new NotFoundError('private key', id);
      const der = keyring.open(
        { masterKeyId: row.master_key_id, wrappedDek: row.wrapped_dek, ciphertext: row.ciphertext },
        `private-key:${row.key_type}`,
      );
      try {
        return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
      } finally {
        der.fill(0);
      }
    },

    /**
     * Seals a plugin's secrets (JSON) in the same table as private keys, so master-key rotation covers them too;
     * `kind` (e.g. `issuer`) is bound as associated data. Returns the row id.
     */
    async storeSecret(exec: Db, kind: string, secrets: Record<string, unknown>): Promise<number> {
      const plain = Buffer.from(JSON.stringify(secrets), 'utf8');
      try {
        const sealed = keyring.seal(plain, `secret:${kind}`);
        return await store.insertKey(exec, {
          key_type: `secret:${kind}`,
          master_key_id: sealed.masterKeyId,
          wrapped_dek: sealed.wrappedDek,
          ciphertext: sealed.ciphertext,
          created_at: clock().toISOString(),
        });
      } finally {
        plain.fill(0);
      }
    },

    /** Opens secrets sealed by storeSecret with the same `kind`. */
    async loadSecret(exec: Db, id: number, kind: string): Promise<Record<string, unknown>> {
      const row = await store.findKey(exec, id);
      if (!row || row.key_type !== `secret:${kind}`) throw new NotFoundError(`${kind} secrets`, id);
      const plain = keyring.open(
        { masterKeyId: row.master_key_id, wrappedDek: row.wrapped_dek, ciphertext: row.ciphertext },
        `secret:${kind}`,
      );
      try {
        return JSON.parse(plain.toString('utf8')) as Record<string, unknown>;
      } finally {
        plain.fill(0);
      }
    },

    /** Re-wraps every stored data key under the newest master key; returns how many rows changed. */
    async rotate(db: Db): Promise<{ rewrapped: number; masterKeyId: string }> {
      const target = keyring.newestId;
      let rewrapped = 0;
      let after = 0;
      for (;;) {
        const page = await store.listNotWrappedBy(db, target, after, 500);
        if (page.length === 0) break;
        await db.transaction().execute(async (trx) => {
          for (const row of page) {
            const next = keyring.rewrap({
              masterKeyId: row.master_key_id,
              wrappedDek: row.wrapped_dek,
              ciphertext: row.ciphertext,
            });
            await store.updateWrapping(trx, row.id, next.masterKeyId, next.wrappedDek);
          }
        });
        rewrapped += page.length;
        after = page[page.length - 1]!.id;
      }
      return { rewrapped, masterKeyId: target };
    },
  };
}

export type KeyService = ReturnType<typeof createKeyService>;
