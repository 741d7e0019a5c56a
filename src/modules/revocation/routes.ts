// Public revocation endpoints (no token: relying parties fetch them): CRLs as DER and the OCSP responder over
// GET (RFC 6960 A.1, base64 in the path) and POST. OCSP answers errors in its own format, never as JSON.
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { buildOcspError, decodeOcspGetPath, OcspMalformedError } from '../../crypto/ocsp.ts';
import { NotFoundError } from '../../errors.ts';
import { sendBytes } from '../../http/reply.ts';
import type { App } from '../../http/types.ts';
import type { RevocationService } from './service.ts';
import { parseCrlName } from './urls.ts';

const AuthorityParam = Type.Object({ authorityId: Type.Integer({ minimum: 1 }) });

async function answerOcsp(reply: FastifyReply, revocation: RevocationService, authorityId: number, der: Uint8Array) {
  let answer: { body: Uint8Array; maxAgeSeconds: number };
  try {
    answer = await revocation.ocsp(authorityId, der);
  } catch (e) {
    reply.log.error({ err: e }, 'OCSP responder failed');
    answer = { body: buildOcspError('internalError'), maxAgeSeconds: 0 };
  }
  const { body, maxAgeSeconds } = answer;
  reply.header(
    'cache-control',
    maxAgeSeconds > 0 ? `public, max-age=${maxAgeSeconds}, no-transform, must-revalidate` : 'no-cache, no-store',
  );
  return sendBytes(reply, 'application/ocsp-response', body);
}

export function registerRevocationRoutes(app: App, { revocation }: { revocation: RevocationService }): void {
  const tags = ['revocation'];
  app.addContentTypeParser(
    'application/ocsp-request',
    { parseAs: 'buffer', bodyLimit: 64 * 1024 },
    (_req, body, done) => done(null, body),
  );

  app.get(
    '/crl/:name',
    {
      config: { public: true },
      schema: {
        tags,
        security: [],
        params: Type.Object({ name: Type.String({ description: '<authorityId>[-<shard>][-delta].crl' }) }),
        response: {
          200: {
            description: 'DER CRL',
            content: { 'application/pkix-crl': { schema: Type.String({ format: 'binary' }) } },
          },
        },
      },
    },
    async (request, reply) => {
      const scope = parseCrlName(request.params.name);
      if (!scope)
        throw new NotFoundError('CRL', `${request.params.name} (expected <authorityId>[-<shard>][-delta].crl)`);
      const crl = await revocation.crl(scope.authorityId, scope.shard, scope.kind);
      const maxAge = Math.max(0, Math.min(3600, Math.floor((Date.parse(crl.nextUpdate) - Date.now()) / 1000)));
      reply
        .header('cache-control', `public, max-age=${maxAge}`)
        .header('last-modified', new Date(crl.thisUpdate).toUTCString())
        .header('expires', new Date(crl.nextUpdate).toUTCString())
        .header('etag', `"crl-${scope.authorityId}-${scope.shard}-${crl.crlNumber}"`);
      return sendBytes(reply, 'application/pkix-crl', crl.der);
    },
  );

  app.post(
    '/ocsp/:authorityId',
    { config: { public: true }, schema: { tags, security: [], params: AuthorityParam } },
    async (request, reply) => {
      const body = request.body;
      if (!Buffer.isBuffer(body)) {
        return sendBytes(reply, 'application/ocsp-response', buildOcspError('malformedRequest'));
      }
      return answerOcsp(reply, revocation, request.params.authorityId, body);
    },
  );

  app.get(
    '/ocsp/:authorityId/*',
    {
      config: { public: true },
      schema: {
        tags,
        security: [],
        params: Type.Object({ authorityId: Type.Integer({ minimum: 1 }), '*': Type.String() }),
      },
    },
    async (request, reply) => {
      let der: Uint8Array;
      try {
        der = decodeOcspGetPath(request.params['*']);
      } catch (e) {
        if (!(e instanceof OcspMalformedError)) throw e;
        return sendBytes(reply, 'application/ocsp-response', buildOcspError('malformedRequest'));
      }
      return answerOcsp(reply, revocation, request.params.authorityId, der);
    },
  );
}
