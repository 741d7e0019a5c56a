import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TarsierError, ValidationError } from '../errors.ts';
import { appendMasterKey, createKeyring, loadOrCreateMasterKeyFile, parseMasterKeys } from './envelope.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'tarsier-envelope-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const b64 = () => randomBytes(32).toString('base64');
const secret = Buffer.from('-----BEGIN PRIVATE KEY----- pretend');

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('createKeyring', () => {
  const [old, current] = parseMasterKeys(`old:${b64()},current:${b64()}`);

  it('seals under the newest key and opens again, with a fresh DEK per item', () => {
    const keyring = createKeyring([old!, current!]);
    const a = keyring.seal(secret, 'private-key:ec-p256');
    const b = keyring.seal(secret, 'private-key:ec-p256');
    expect(a.masterKeyId).toBe('current');
    expect(keyring.newestId).toBe('current');
    expect(a.ciphertext[0]).toBe(1);
    expect(a.wrappedDek).toHaveLength(1 + 12 + 32 + 16);
    expect(a.ciphertext).toHaveLength(1 + 12 + secret.length + 16);
    expect(Buffer.from(a.wrappedDek).equals(Buffer.from(b.wrappedDek))).toBe(false);
    expect(Buffer.from(a.ciphertext).includes(Buffer.from('PRIVATE KEY'))).toBe(false);
    expect(keyring.open(a, 'private-key:ec-p256')).toEqual(secret);
    expect(keyring.open(keyring.seal(secret), undefined)).toEqual(secret);
  });

  it('detects a flipped byte in the ciphertext or the wrapped DEK', () => {
    const keyring = createKeyring([current!]);
    const sealed = keyring.seal(secret, 'aad');
    for (const part of ['ciphertext', 'wrappedDek'] as const) {
      for (const index of [1, 20, sealed[part].length - 1]) {
        const bytes = Buffer.from(sealed[part]);
        bytes[index] = bytes[index]! ^ 0x01;
        const error = thrown(() => keyring.open({ ...sealed, [part]: bytes }, 'aad'));
        expect(error).toBeInstanceOf(TarsierError);
        expect(error.message).toContain('failed its integrity check');
      }
    }
  });

  it('refuses to open with other associated data', () => {
    const keyring = createKeyring([current!]);
    const sealed = keyring.seal(secret, 'private-key:ec-p256');
    expect(thrown(() => keyring.open(sealed, 'private-key:rsa-2048')).message).toContain('other associated data');
    expect(thrown(() => keyring.open(sealed)).message).toContain('failed its integrity check');
  });

  it('rewraps under the newest key without touching the ciphertext', () => {
    const sealed = createKeyring([old!]).seal(secret, 'aad');
    expect(sealed.masterKeyId).toBe('old');
    const keyring = createKeyring([old!, current!]);
    const rewrapped = keyring.rewrap(sealed);
    expect(rewrapped.masterKeyId).toBe('current');
    expect(rewrapped.ciphertext).toEqual(sealed.ciphertext);
    expect(Buffer.from(rewrapped.wrappedDek).equals(Buffer.from(sealed.wrappedDek))).toBe(false);
    expect(keyring.open(rewrapped, 'aad')).toEqual(secret);
    // Once rewrapped, the old key can be dropped.
    expect(createKeyring([current!]).open(rewrapped, 'aad')).toEqual(secret);
  });

  it('names the missing master key', () => {
    const sealed = createKeyring([old!]).seal(secret);
    const error = thrown(() => createKeyring([current!]).open(sealed));
    expect(error).toBeInstanceOf(TarsierError);
    expect(error.message).toContain("master key 'old' is not configured");
    expect(error.message).toContain('configured: current');
  });

  it('refuses an empty keyring and repeated ids', () => {
    expect(thrown(() => createKeyring([]))).toBeInstanceOf(ValidationError);
    expect(thrown(() => createKeyring([old!, old!])).message).toContain("'old' appears twice");
  });
});

describe('parseMasterKeys', () => {
  it('reads comma-separated id:base64 entries, newest last', () => {
    const keys = parseMasterKeys(` a-1:${b64()} , B_2:${b64()},`);
    expect(keys.map((k) => k.id)).toEqual(['a-1', 'B_2']);
    expect(keys[0]!.key.symmetricKeySize).toBe(32);
  });

  it.each([
    ['', 'holds no master key'],
    [`nocolon${b64()}`, 'entry 1 must look like id:base64'],
    [`bad id:${b64()}`, "entry 1: the id 'bad id' must be 1 to 32 characters"],
    [`${'x'.repeat(33)}:${b64()}`, 'must be 1 to 32 characters'],
    [`k:${randomBytes(16).toString('base64')}`, "entry 1: the key of 'k' must be 32 bytes in base64"],
    [`k:${'!'.repeat(44)}`, 'must be 32 bytes in base64'],
    [`k:${b64()},k:${b64()}`, "the master key id 'k' appears twice"],
  ])('rejects %j', (spec, message) => {
    const error = thrown(() => parseMasterKeys(spec)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.field).toBe('TARSIER_MASTER_KEYS');
    expect(error.message).toContain(message);
  });
});

describe('master key file', () => {
  it('is created with mode 0600 (and its directory) holding one key, then read back', () => {
    const file = path.join(dir, 'new', 'data', 'master-keys');
    const [key] = loadOrCreateMasterKeyFile(file, new Date('2025-03-04T10:00:00Z'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(key!.id).toMatch(/^mk-20250304-[0-9a-f]{4}$/);
    const again = loadOrCreateMasterKeyFile(file);
    expect(again.map((k) => k.id)).toEqual([key!.id]);
    const sealed = createKeyring([key!]).seal(secret);
    expect(createKeyring(again).open(sealed)).toEqual(secret);
  });

  it('appends a new newest key and keeps the old ones', () => {
    const file = path.join(dir, 'append', 'master-keys');
    const [first] = loadOrCreateMasterKeyFile(file);
    const added = appendMasterKey(file);
    const keys = loadOrCreateMasterKeyFile(file);
    expect(keys.map((k) => k.id)).toEqual([first!.id, added.id]);
    expect(createKeyring(keys).newestId).toBe(added.id);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('accepts comments and blank lines', () => {
    const file = path.join(dir, 'commented');
    writeFileSync(file, `# keys\n\n  k1 ${b64()}\n# retired later\nk2\t${b64()}\n`, { mode: 0o600 });
    expect(loadOrCreateMasterKeyFile(file).map((k) => k.id)).toEqual(['k1', 'k2']);
  });

  it('refuses a file other users can read, telling to chmod 600', () => {
    const file = path.join(dir, 'open-file');
    writeFileSync(file, `k1 ${b64()}\n`);
    chmodSync(file, 0o644);
    const error = thrown(() => loadOrCreateMasterKeyFile(file)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain(`mode 0644); run \`chmod 600 ${file}\``);
    expect(thrown(() => appendMasterKey(file))).toBeInstanceOf(ValidationError);
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('names the line of a malformed entry', () => {
    const file = path.join(dir, 'malformed');
    writeFileSync(file, `# header\nk1 ${b64()}\nk2 short\n`, { mode: 0o600 });
    expect(thrown(() => loadOrCreateMasterKeyFile(file)).message).toContain("line 3: the key of 'k2' must be 32 bytes");
  });
});
