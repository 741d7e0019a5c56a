// Fresh key pairs made ahead of need. An issuance used to wait for its key: a round trip through libuv's thread
// pool (≈0.15 ms for P-256, bench "raw async, concurrency 1"), all of it latency for a lone client. The pool keeps
// a few pairs of each fast type ready (EC, Ed25519: tens of µs of thread-pool time each) and tops itself up after
// each take; RSA keys, seconds of CPU a dozen, are made on demand as before. A pair is handed out once. Keys stay
// KeyObjects (OpenSSL memory, as before): encoding them on the thread pool was measured slower (OpenSSL 3's DER
// encoder ≈180 µs against ≈40 µs for the pair, and ≈100 µs to decode a public key again on this thread).

import { generateKeyPair, type KeyPair } from './keys.ts';
import type { KeyType } from './types.ts';

const POOLED = new Set<KeyType>(['ec-p256', 'ec-p384', 'ed25519']);

export interface KeyPool {
  /** A key pair never handed out before. Throws ValidationError for a type Tarsier does not generate. */
  take(type: KeyType): Promise<KeyPair>;
  /** How many pairs of `type` are ready now. */
  available(type: KeyType): number;
  /** Stops refilling and drops the pairs not handed out. */
  stop(): void;
}

/** Pools fill only for the types asked for, up to `size` pairs each. */
export function createKeyPool({ size = 32 }: { size?: number } = {}): KeyPool {
  const ready = new Map<KeyType, KeyPair[]>();
  const filling = new Map<KeyType, number>();
  let stopped = false;

  function refill(type: KeyType): void {
    const queue = ready.get(type) ?? [];
    ready.set(type, queue);
    // A few generations at a time: the thread pool also serves file syncs and other requests' work.
    while (!stopped && queue.length + (filling.get(type) ?? 0) < size && (filling.get(type) ?? 0) < 4) {
      filling.set(type, (filling.get(type) ?? 0) + 1);
      generateKeyPair(type).then(
        (pair) => {
          filling.set(type, filling.get(type)! - 1);
          if (stopped) return;
          queue.push(pair);
          refill(type);
        },
        () => filling.set(type, filling.get(type)! - 1),
      );
    }
  }

  return {
    async take(type) {
      if (!POOLED.has(type)) return generateKeyPair(type);
      const pair = ready.get(type)?.shift() ?? (await generateKeyPair(type));
      refill(type);
      return pair;
    },
    available: (type) => ready.get(type)?.length ?? 0,
    stop() {
      stopped = true;
      for (const queue of ready.values()) queue.splice(0);
    },
  };
}

/** The process's pool, shared by every issuance. */
export const keyPool = createKeyPool();
