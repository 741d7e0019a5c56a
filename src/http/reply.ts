// Sends bytes (DER, PKCS#12, OCSP) as they are. Fastify skips serialization for Buffers; the cast only quiets
// the typed reply, whose schema describes the file for OpenAPI.
import type { FastifyReply } from 'fastify';

export function sendBytes(reply: FastifyReply, contentType: string, bytes: Uint8Array): FastifyReply {
  return reply
    .type(contentType)
    .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as string);
}
