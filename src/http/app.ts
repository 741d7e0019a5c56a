// Assembles the HTTP server: logger with redaction, schema validation, the auth hook, the error handler, the
// OpenAPI document and every module's routes. Routes come from the modules; this file only wires them.
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthenticatedError } from '../errors.ts';
import { registerAuthorityRoutes } from '../modules/authorities/routes.ts';
import { registerCertificateRoutes } from '../modules/certificates/routes.ts';
import { hasPermission } from '../modules/identity/permissions.ts';
import { registerIdentityRoutes } from '../modules/identity/routes.ts';
import { registerRevocationRoutes } from '../modules/revocation/routes.ts';
import type { Services } from '../services.ts';
import { errorHandler } from './error-handler.ts';
import type { App } from './types.ts';

export interface AppOptions {
  logLevel?: string;
  /** Resolves once the server is ready to serve (database migrated); /healthz answers 503 until then. */
  ready?: () => boolean;
}

const REDACT = ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.privateKey', '*.pkcs12', '*.token'];

async function authenticate(request: FastifyRequest, services: Services): Promise<void> {
  const config = request.routeOptions.config;
  if (config.public || request.is404) return;
  const header = request.headers.authorization;
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  if (!match) throw new UnauthenticatedError();
  request.principal = await services.identity.authenticate(match[1]!);
  const permission = config.permission;
  if (!permission) throw new ForbiddenError('this route declares no permission; refusing by default');
  if (!hasPermission(request.principal, permission)) {
    throw new ForbiddenError(`your role '${request.principal.role}' lacks the permission ${permission}`);
  }
}

/** The parts every Tarsier HTTP server shares: logging, validation, errors, auth, /healthz. */
async function baseApp(services: Services, options: AppOptions): Promise<App> {
  const app = Fastify({
    logger: { level: options.logLevel ?? 'info', redact: { paths: REDACT, censor: '[redacted]' } },
    bodyLimit: 5 * 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler(errorHandler);
  // JSON only: a text/plain body is refused with 415 rather than failing validation as a string.
  app.removeContentTypeParser('text/plain');
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      error: {
        code: 'not_found',
        message: `no route ${request.method} ${request.url.split('?')[0]}; see /api/v1/openapi.json`,
        details: {},
      },
    });
  });

  app.addHook('onRequest', async (request) => authenticate(request, services));
  // A POST without a body (e.g. `rotate`) means "no options": validate it as an empty object.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && (request.method === 'POST' || request.method === 'PATCH')) request.body = {};
  });
  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
    const ready = options.ready?.() ?? true;
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ok' : 'starting' });
  });
  return app;
}

/** The whole server: API, OpenAPI document and the public revocation endpoints. */
export async function buildApp(services: Services, options: AppOptions = {}): Promise<App> {
  const app = await baseApp(services, options);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tarsier API',
        version: '1',
        description: 'Certificate orchestration: authorities, certificates, keys.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  app.get('/api/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  registerIdentityRoutes(app, services);
  registerAuthorityRoutes(app, services);
  registerCertificateRoutes(app, services);
  registerRevocationRoutes(app, services);
  return app;
}

/** Only the public revocation endpoints (CRLs and OCSP): `tarsier ocsp`, run as its own process for scale. */
export async function buildRevocationApp(services: Services, options: AppOptions = {}): Promise<App> {
  const app = await baseApp(services, options);
  registerRevocationRoutes(app, services);
  return app;
}
