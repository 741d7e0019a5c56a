// Envelope encryption of private keys at rest. Each sealed item gets its own random data key (DEK) and
// AES-256-GCM; only the 32-byte DEK is wrapped by a master key, so rotating master keys rewraps DEKs without
// touching ciphertexts. The caller's `aad` binds the ciphertext (not the wrap: the DEK only opens its own
// ciphertext anyway, and rewrapping then needs no aad). Master keys come from TARSIER_MASTER_KEYS or a mode
// 0600 file, newest last, held as KeyObjects so a stray log line cannot print them.
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TarsierError, ValidationError } from '../errors.ts';

export interface MasterKey {
  id: string;
  key: KeyObject;
}

/** What gets stored: the DEK wrapped under `masterKeyId`, and the data sealed under the DEK. */
export interface Sealed {
  masterKeyId: string;
  wrappedDek: Uint8Array;
  ciphertext: Uint8Array;
}

export type Keyring = ReturnType<typeof createKeyring>;

const ENV_FIELD = 'TARSIER_MASTER_KEYS';
const ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;
/** Layout of both blobs: version byte || 12-byte IV || ciphertext || 16-byte GCM tag. */
const VERSION = 1;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const WRAP_CONTEXT = 'tarsier-dek';
const FILE_HEADER =
  '# Tarsier master keys: one "id base64" line per key, newest last. Keep a backup: losing a key loses\n' +
  '# every private key sealed under it. Keep this file mode 0600.\n';

function toMasterKey(id: string, base64: string, field: string, where: string): MasterKey {
  if (!ID_PATTERN.test(id)) {
    throw new ValidationError(field, `${where}: the id '${id}' must be 1 to 32 characters of A-Z, a-z, 0-9, _ and -`);
  }
  const bytes = Buffer.from(base64, 'base64');
  if (!BASE64_PATTERN.test(base64) || bytes.length !== 32) {
    throw new ValidationError(
      field,
      `${where}: the key of '${id}' must be 32 bytes in base64 (44 characters); make one with \`openssl rand -base64 32\``,
    );
  }
  const key = createSecretKey(bytes);
  bytes.fill(0);
  return { id, key };
}

function checkUnique(keys: MasterKey[], field: string): MasterKey[] {
  const seen = new Set<string>();
  for (const { id } of keys) {
    if (seen.has(id)) throw new ValidationError(field, `the master key id '${id}' appears twice; ids must be unique`);
    seen.add(id);
  }
  if (!keys.length) throw new ValidationError(field, 'holds no master key; give at least one `id:base64` entry');
  return keys;
}

/** Parse TARSIER_MASTER_KEYS: comma-separated `id:base64`, 32 bytes each, newest last. */
export function parseMasterKeys(spec: string): MasterKey[] {
  const entries = spec
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const keys = entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    if (colon < 0) throw new ValidationError(ENV_FIELD, `entry ${i + 1} must look like id:base64`);
    return toMasterKey(entry.slice(0, colon), entry.slice(colon + 1), ENV_FIELD, `entry ${i + 1}`);
  });
  return checkUnique(keys, ENV_FIELD);
}

function newKeyLine(now: Date): { id: string; line: string } {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  const id = `mk-${day}-${randomBytes(2).toString('hex')}`;
  const secret = randomBytes(32);
  const line = `${id} ${secret.toString('base64')}\n`;
  secret.fill(0);
  return { id, line };
}

function readMasterKeyFile(file: string): MasterKey[] {
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) {
    throw new ValidationError(
      file,
      `is readable by other users (mode 0${mode.toString(8)}); run \`chmod 600 ${file}\` and restart`,
    );
  }
  const keys: MasterKey[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const parts = line.split(/\s+/);
      if (parts.length !== 2) throw new ValidationError(file, `line ${i + 1} must be "id base64"`);
      keys.push(toMasterKey(parts[0]!, parts[1]!, file, `line ${i + 1}`));
    });
  return checkUnique(keys, file);
}

/** Read the master key file, creating it (and its directory) with one fresh key and mode 0600 when missing. */
export function loadOrCreateMasterKeyFile(file: string, now: Date = new Date()): MasterKey[] {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, FILE_HEADER + newKeyLine(now).line, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process created it first: read theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return readMasterKeyFile(file);
}

/** Generate a key, append it to the file (it becomes the newest) and return it. */
export function appendMasterKey(file: string, now: Date = new Date()): MasterKey {
  if (!existsSync(file)) return loadOrCreateMasterKeyFile(file, now).at(-1)!;
  const existing = new Set(readMasterKeyFile(file).map((k) => k.id));
  let next = newKeyLine(now);
  while (existing.has(next.id)) next = newKeyLine(now);
  appendFileSync(file, next.line);
  return readMasterKeyFile(file).find((k) => k.id === next.id)!;
}

function aadBytes(context: string): Buffer {
  return Buffer.concat([Buffer.from([VERSION]), Buffer.from(context, 'utf8')]);
}

function encrypt(key: KeyObject | Buffer, plaintext: Uint8Array, context: string): Uint8Array {
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH }).setAAD(aadBytes(context));
  const body = cipher.update(plaintext);
  return Buffer.concat([Buffer.from([VERSION]), iv, body, cipher.final(), cipher.getAuthTag()]);
}

function decrypt(key: KeyObject | Buffer, blob: Uint8Array, context: string, what: string): Buffer {
  if (blob.length < 1 + IV_LENGTH + TAG_LENGTH || blob[0] !== VERSION) {
    throw new TarsierError('internal', `the ${what} has an unknown format (version byte ${blob[0]})`);
  }
  const iv = blob.subarray(1, 1 + IV_LENGTH);
  const tag = blob.subarray(blob.length - TAG_LENGTH);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH }).setAAD(aadBytes(context));
  decipher.setAuthTag(tag);
  const body = decipher.update(blob.subarray(1 + IV_LENGTH, blob.length - TAG_LENGTH));
  try {
    return Buffer.concat([body, decipher.final()]);
  } catch (cause) {
    body.fill(0);
    throw new TarsierError(
      'internal',
      `the ${what} failed its integrity check: it was altered, or is opened with other associated data than it was sealed with`,
      undefined,
      { cause },
    );
  }
}

/**
 * A keyring over `keys` (newest last): `seal` uses the newest master key, `open` the one the item names.
 * Throws ValidationError when the list is empty or repeats an id.
 */
export function createKeyring(keys: MasterKey[]) {
  const byId = new Map(checkUnique(keys, ENV_FIELD).map((k) => [k.id, k.key]));
  const newest = keys.at(-1)!;

  const unwrap = (sealed: Sealed): Buffer => {
    const masterKey = byId.get(sealed.masterKeyId);
    if (!masterKey) {
      throw new TarsierError(
        'internal',
        `master key '${sealed.masterKeyId}' is not configured, so this item cannot be opened; add it back to ` +
          `${ENV_FIELD} or the master key file (configured: ${[...byId.keys()].join(', ')})`,
        { masterKeyId: sealed.masterKeyId },
      );
    }
    return decrypt(masterKey, sealed.wrappedDek, WRAP_CONTEXT, 'wrapped data key');
  };

  const wrap = (dek: Buffer): Pick<Sealed, 'masterKeyId' | 'wrappedDek'> => ({
    masterKeyId: newest.id,
    wrappedDek: encrypt(newest.key, dek, WRAP_CONTEXT),
  });

  return {
    newestId: newest.id,

    /** Encrypt under a fresh DEK wrapped by the newest master key; `aad` must be given again to open. */
    seal(plaintext: Uint8Array, aad?: string): Sealed {
      const dek = randomBytes(32);
      try {
        return { ...wrap(dek), ciphertext: encrypt(dek, plaintext, `data:${aad ?? ''}`) };
      } finally {
        dek.fill(0);
      }
    },

    /** Decrypt; the caller should zero-fill the result when done. Throws TarsierError('internal') on tamper. */
    open(sealed: Sealed, aad?: string): Buffer {
      const dek = unwrap(sealed);
      try {
        return decrypt(dek, sealed.ciphertext, `data:${aad ?? ''}`, 'sealed data');
      } finally {
        dek.fill(0);
      }
    },

    /** Wrap the item's DEK under the newest master key; the ciphertext is returned unchanged. */
    rewrap(sealed: Sealed): Sealed {
      const dek = unwrap(sealed);
      try {
        return { ...wrap(dek), ciphertext: sealed.ciphertext };
      } finally {
        dek.fill(0);
      }
    },
  };
}
