// The floor under any issuance: node:crypto generating a key pair and signing a ~300-byte to-be-signed blob,
// with nothing else (no ASN.1, no database, no HTTP). Synchronous (one thread) and asynchronous (libuv's pool).
import { generateKeyPair, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { promisify } from 'node:util';

export type RawKeyType = 'ec-p256' | 'rsa-2048';

const generateAsync = promisify(generateKeyPair);
const TBS = randomBytes(300);

const params = (type: RawKeyType) =>
  type === 'ec-p256'
    ? (['ec', { namedCurve: 'P-256' }] as const)
    : (['rsa', { modulusLength: 2048, publicExponent: 0x10001 }] as const);

function oneSync(type: RawKeyType): void {
  const [alg, opts] = params(type);
  const { privateKey } = generateKeyPairSync(alg as 'ec', opts as { namedCurve: string });
  sign('sha256', TBS, privateKey);
}

async function oneAsync(type: RawKeyType): Promise<void> {
  const [alg, opts] = params(type);
  const { privateKey } = await generateAsync(alg as 'ec', opts as { namedCurve: string });
  sign('sha256', TBS, privateKey);
}

export interface RawResult {
  perSecond: number;
  count: number;
  seconds: number;
}

/** Key pairs + signatures per second for `durationMs` (after a short warm-up). */
export async function measureRaw(
  type: RawKeyType,
  mode: 'sync' | 'async',
  concurrency: number,
  durationMs: number,
): Promise<RawResult> {
  for (let i = 0; i < 3; i++) oneSync(type);
  let count = 0;
  const start = performance.now();
  const deadline = start + durationMs;
  if (mode === 'sync') {
    while (performance.now() < deadline) {
      oneSync(type);
      count++;
    }
  } else {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline) {
          await oneAsync(type);
          count++;
        }
      }),
    );
  }
  const seconds = (performance.now() - start) / 1000;
  return { perSecond: count / seconds, count, seconds };
}
