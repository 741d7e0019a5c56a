// Fresh key pairs made ahead of need, on a worker thread. An issuance used to wait for its key (a round trip
// through libuv's thread pool, ≈0.15 ms for P-256) and then spend ≈150 µs of the one JS thread on it: submitting
// the async job, its callback, and two exports (SPKI for the certificate, PKCS#8 for the key store) —
// bench/profile-issuance.ts. The worker makes batches of pairs with their private JWK export; KeyObjects cross
// threads by structured clone (node's own), and this thread only assembles the DER from the JWK (keys.ts
// rememberEncodings): ≈10 µs per key here, measured. Only the fast types are pooled (EC, Ed25519); RSA keys,
// seconds of CPU a dozen, are made on demand as before. Generating keys DER-encoded instead was measured slower
// (OpenSSL 3's encoder ≈180 µs per pair, and ≈100 µs to decode the public key again). A pair is handed out once.
// The worker is plain CommonJS evaluated in place, so it needs no TypeScript loader (as db/sqlite-checkpointer.ts).
import type { JsonWebKey } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { generateKeyPair, type KeyPair, rememberEncodings } from './keys.ts';
import type { KeyType } from './types.ts';

const PARAMS: Partial<Record<KeyType, [kind: string, options: object]>> = {
  'ec-p256': ['ec', { namedCurve: 'P-256' }],
  'ec-p384': ['ec', { namedCurve: 'P-384' }],
  ed25519: ['ed25519', {}],
};

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { generateKeyPairSync } = require('node:crypto');
parentPort.on('message', ({ type, kind, options, count }) => {
  const keys = [];
  try {
    for (let i = 0; i < count; i++) {
      const { publicKey, privateKey } = generateKeyPairSync(kind, options);
      keys.push({ publicKey, privateKey, jwk: privateKey.export({ format: 'jwk' }) });
    }
    parentPort.postMessage({ type, keys });
  } catch (err) {
    parentPort.postMessage({ type, keys, error: String(err) });
  }
});`;

interface Made extends KeyPair {
  jwk: JsonWebKey;
}

export interface KeyPool {
  /** A key pair never handed out before. Throws ValidationError for a type Tarsier does not generate. */
  take(type: KeyType): Promise<KeyPair>;
  /** How many pairs of `type` are ready now. */
  available(type: KeyType): number;
  /** A user (a running Tarsier) begins: keys are made ahead only while at least one is open. */
  open(): void;
  /** A user ends; after the last, the worker is terminated (awaited) and the pairs not handed out dropped. */
  close(): Promise<void>;
}

/** Pools fill only for the types asked for: up to `size` pairs each, in batches of `size / 2`. */
export function createKeyPool({ size = 64 }: { size?: number } = {}): KeyPool {
  const ready = new Map<KeyType, Made[]>();
  const asked = new Set<KeyType>();
  let worker: Worker | undefined;
  let users = 0;

  function start(): Worker {
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.on('message', ({ type, keys }: { type: KeyType; keys: Made[] }) => {
      asked.delete(type);
      if (users > 0) ready.get(type)?.push(...keys);
    });
    // A worker that dies (it should not) is replaced at the next refill; takes meanwhile generate directly.
    w.on('error', () => undefined);
    w.on('exit', () => {
      if (worker === w) worker = undefined;
      asked.clear();
    });
    // After the listeners (adding one refs the worker again): the pool never keeps a process alive. Its users still
    // close it: a process that exited with the worker running was seen to hang in its exit (waiting for the thread).
    w.unref();
    return w;
  }

  function refill(type: KeyType): void {
    const queue = ready.get(type) ?? [];
    ready.set(type, queue);
    if (users === 0 || asked.has(type) || queue.length > size / 2) return;
    const [kind, options] = PARAMS[type]!;
    asked.add(type);
    worker ??= start();
    worker.postMessage({ type, kind, options, count: Math.ceil(size / 2) });
  }

  return {
    async take(type) {
      if (!PARAMS[type] || users === 0) return generateKeyPair(type);
      const made = ready.get(type)?.shift();
      refill(type);
      if (!made) return generateKeyPair(type);
      rememberEncodings(made, made.jwk, type);
      return { publicKey: made.publicKey, privateKey: made.privateKey };
    },
    available: (type) => ready.get(type)?.length ?? 0,
    open() {
      users++;
    },
    async close() {
      users = Math.max(0, users - 1);
      if (users > 0) return;
      for (const queue of ready.values()) queue.splice(0);
      asked.clear();
      const w = worker;
      worker = undefined;
      await w?.terminate();
    },
  };
}

/** The process's pool, shared by every issuance; services.ts opens and closes it with each running Tarsier. */
export const keyPool = createKeyPool();
