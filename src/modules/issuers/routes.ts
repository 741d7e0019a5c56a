// /api/v1/issuers: external issuers (ACME, CFSSL, …) and the plugins that implement them; and the HTTP-01
// answers at /.well-known/acme-challenge/<token>, which the CA's validator fetches without credentials.
import { Type } from 'typebox';
import { contextOf } from '../../http/context.ts';
import type { App } from '../../http/types.ts';
import { IdParams } from '../authorities/schemas.ts';
import { pluginDescription } from '../plugin-instances.ts';
import { CreateIssuerBody, IssuerList, IssuerSchema, PluginList, UpdateIssuerBody } from './schemas.ts';
import type { IssuerService } from './service.ts';

export function registerIssuerRoutes(app: App, { issuers }: { issuers: IssuerService }): void {
  const tags = ['issuers'];
  const one = { 200: IssuerSchema };
  app.get(
    '/api/v1/issuers/plugins',
    { config: { permission: 'issuer:read' }, schema: { tags, response: { 200: PluginList } } },
    async () => ({
      items: issuers.plugins().map((p) => ({
        ...pluginDescription(p),
        requestOptions: p.requestOptions as Record<string, unknown>,
        canRevoke: Boolean(p.revoke),
        canCancel: Boolean(p.cancel),
      })),
    }),
  );
  app.get(
    '/api/v1/issuers',
    { config: { permission: 'issuer:read' }, schema: { tags, response: { 200: IssuerList } } },
    async () => ({ items: await issuers.list() }),
  );
  app.post(
    '/api/v1/issuers',
    {
      config: { permission: 'issuer:manage' },
      schema: { tags, body: CreateIssuerBody, response: { 201: IssuerSchema } },
    },
    async (request, reply) => reply.status(201).send(await issuers.create(request.body, contextOf(request))),
  );
  app.get(
    '/api/v1/issuers/:id',
    { config: { permission: 'issuer:read' }, schema: { tags, params: IdParams, response: one } },
    async (request) => issuers.get(request.params.id),
  );
  app.patch(
    '/api/v1/issuers/:id',
    {
      config: { permission: 'issuer:manage' },
      schema: { tags, params: IdParams, body: UpdateIssuerBody, response: one },
    },
    async (request) => issuers.update(request.params.id, request.body, contextOf(request)),
  );
  app.post(
    '/api/v1/issuers/:id/check',
    { config: { permission: 'issuer:manage' }, schema: { tags, params: IdParams, response: one } },
    async (request) => issuers.check(request.params.id, contextOf(request)),
  );
  app.delete(
    '/api/v1/issuers/:id',
    { config: { permission: 'issuer:manage' }, schema: { tags, params: IdParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await issuers.remove(request.params.id, contextOf(request));
      return reply.status(204).send(null);
    },
  );
}

export function registerChallengeRoutes(app: App, { issuers }: { issuers: IssuerService }): void {
  app.get(
    '/.well-known/acme-challenge/:token',
    {
      config: { public: true },
      schema: {
        tags: ['issuers'],
        params: Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{1,256}$' }) }),
      },
    },
    async (request, reply) => {
      const answer = await issuers.challenges.answer(request.params.token);
      if (answer === undefined) return reply.status(404).type('text/plain').send('no such challenge token\n');
      return reply.type('text/plain').send(answer);
    },
  );
}
