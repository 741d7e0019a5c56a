// Assembles the HTTP server: logger with redaction, schema validation, the auth hook, the error handler, the
// OpenAPI document and every module's routes. Routes come from the modules; this file only wires them.
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthenticatedError } from '../errors.ts';
import { registerAuditRoutes } from '../modules/audit/routes.ts';
import { registerAuthorityRoutes } from '../modules/authorities/routes.ts';
import { registerCertificateRoutes } from '../modules/certificates/routes.ts';
import { registerCertificateStatsRoutes } from '../modules/certificates/stats-routes.ts';
import { registerDestinationRoutes } from '../modules/destinations/routes.ts';
import { registerDomainRoutes } from '../modules/domains/routes.ts';
import { registerEndpointProblemRoutes } from '../modules/endpoints/problems.ts';
import { registerEndpointRoutes } from '../modules/endpoints/routes.ts';
import { registerExternalIdentityRoutes } from '../modules/identity/external-routes.ts';
import { registerAuthMethodRoutes } from '../modules/identity/methods-routes.ts';
import { hasPermission } from '../modules/identity/permissions.ts';
import { registerIdentityRoutes } from '../modules/identity/routes.ts';
import { registerChallengeRoutes, registerIssuerRoutes } from '../modules/issuers/routes.ts';
import { registerJobRoutes } from '../modules/jobs/routes.ts';
import { registerNotificationRoutes } from '../modules/notifications/routes.ts';
import { registerPendingRoutes } from '../modules/pending/routes.ts';
import { registerRequestRoutes } from '../modules/requests/routes.ts';
import { registerRevocationRoutes } from '../modules/revocation/routes.ts';
import { registerRotationRoutes } from '../modules/rotation/routes.ts';
import { registerSourceRoutes } from '../modules/sources/routes.ts';
import type { Services } from '../services.ts';
import { readCookie, SESSION_COOKIE } from './cookies.ts';
import { errorHandler } from './error-handler.ts';
import type { App } from './types.ts';
import { registerWebUi } from './web-ui.ts';

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
  const session = readCookie(request.headers.cookie, SESSION_COOKIE);
  if (header) {
    const match = header.match(/^Bearer\s+(\S+)$/i);
    if (!match) throw new UnauthenticatedError('send the token as Authorization: Bearer <token>');
    request.principal = await services.identity.authenticate(match[1]!);
  } else if (session) {
    const csrf = request.headers['x-csrf-token'];
    request.principal = await services.identity.authenticateSession(
      session,
      typeof csrf === 'string' ? csrf : undefined,
      request.method,
    );
  } else {
    throw new UnauthenticatedError();
  }
  const permission = config.permission;
  if (!permission) throw new ForbiddenError('this route declares no permission; refusing by default');
  if (permission !== 'self' && !hasPermission(request.principal, permission)) {
    const who = request.principal.apiKeyId
      ? 'this API key lacks'
      : `your roles (${request.principal.roles.join(', ') || 'none'}) lack`;
    const refusal = new ForbiddenError(`${who} the permission ${permission}`);
    // Denied attempts are part of the record: who tried what, from where.
    await services.audit.record(services.db, {
      actor: request.principal.actor,
      action: `http.${request.method.toLowerCase()} ${request.routeOptions.url}`,
      clientAddress: request.ip,
      outcome: 'denied',
      details: { permission },
    });
    throw refusal;
  }
}

export interface RouteInfo {
  method: string;
  url: string;
  permission?: string;
  isPublic: boolean;
}

const ROUTES = new WeakMap<object, RouteInfo[]>();

/** Every route of an app with the permission it declares: what the authorization matrix test walks. */
export function routeTable(app: App): RouteInfo[] {
  return ROUTES.get(app) ?? [];
}

/** The parts every Tarsier HTTP server shares: logging, validation, errors, auth, /healthz. */
async function baseApp(services: Services, options: AppOptions): Promise<App> {
  const app = Fastify({
    logger: { level: options.logLevel ?? 'info', redact: { paths: REDACT, censor: '[redacted]' } },
    bodyLimit: 5 * 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const routes: RouteInfo[] = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) {
      if (method === 'HEAD') continue;
      routes.push({ method, url: r.url, permission: r.config?.permission, isPublic: Boolean(r.config?.public) });
    }
  });
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
  registerExternalIdentityRoutes(app, services);
  registerAuthorityRoutes(app, services);
  registerCertificateRoutes(app, services);
  registerDomainRoutes(app, services);
  registerRequestRoutes(app, services);
  registerRevocationRoutes(app, services);
  registerAuditRoutes(app, services);
  registerIssuerRoutes(app, services);
  registerPendingRoutes(app, services);
  registerChallengeRoutes(app, services);
  registerDestinationRoutes(app, services);
  registerCertificateStatsRoutes(app, services);
  registerAuthMethodRoutes(app, services);
  await registerWebUi(app);
  registerSourceRoutes(app, services);
  registerEndpointRoutes(app, services);
  registerJobRoutes(app, services);
  registerNotificationRoutes(app, services);
  registerRotationRoutes(app, services);
  registerEndpointProblemRoutes(app, services);
  return app;
}

/** Only the public revocation endpoints (CRLs and OCSP): `tarsier ocsp`, run as its own process for scale. */
export async function buildRevocationApp(services: Services, options: AppOptions = {}): Promise<App> {
  const app = await baseApp(services, options);
  registerRevocationRoutes(app, services);
  return app;
}
