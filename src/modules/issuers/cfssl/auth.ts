// CFSSL's "standard" request authentication, as /api/v1/cfssl/authsign checks it: the sign request is sent as
// base64 bytes, and the token is HMAC-SHA256 over exactly those bytes with the hex-decoded auth key. The token is
// computed over the bytes we send (never a re-serialisation), so both sides hash the same thing.
import { createHmac } from 'node:crypto';

export interface AuthenticatedRequest {
  /** base64 of HMAC-SHA256(key, request bytes) */
  token: string;
  /** base64 of the JSON sign request */
  request: string;
}

/** True when `key` is usable as CFSSL decodes it (Go's hex.DecodeString): even length, hex digits only. */
export function isHexKey(key: string): boolean {
  return key.length > 0 && key.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(key);
}

/** Wraps a sign request for /authsign. `hexKey` must pass isHexKey. */
export function authenticate(signRequest: object, hexKey: string): AuthenticatedRequest {
  const bytes = Buffer.from(JSON.stringify(signRequest), 'utf8');
  const token = createHmac('sha256', Buffer.from(hexKey, 'hex')).update(bytes).digest();
  return { token: token.toString('base64'), request: bytes.toString('base64') };
}
