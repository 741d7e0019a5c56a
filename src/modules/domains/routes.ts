// /api/v1/domains: the registry of domains, some marked sensitive.
import { Type } from 'typebox';
import { contextOf } from '../../http/context.ts';
import type { App } from '../../http/types.ts';
import { IdParams } from '../authorities/schemas.ts';
import { CreateDomainBody, DomainList, DomainSchema, UpdateDomainBody } from './schemas.ts';
import type { DomainService } from './service.ts';

export function registerDomainRoutes(app: App, { domains }: { domains: DomainService }): void {
  const tags = ['domains'];
  app.get(
    '/api/v1/domains',
    { config: { permission: 'domain:read' }, schema: { tags, response: { 200: DomainList } } },
    async () => ({
      items: await domains.list(),
    }),
  );
  app.post(
    '/api/v1/domains',
    {
      config: { permission: 'domain:manage' },
      schema: { tags, body: CreateDomainBody, response: { 201: DomainSchema } },
    },
    async (request, reply) => reply.status(201).send(await domains.create(request.body, contextOf(request))),
  );
  app.patch(
    '/api/v1/domains/:id',
    {
      config: { permission: 'domain:manage' },
      schema: { tags, params: IdParams, body: UpdateDomainBody, response: { 200: DomainSchema } },
    },
    async (request) => domains.update(request.params.id, request.body, contextOf(request)),
  );
  app.delete(
    '/api/v1/domains/:id',
    { config: { permission: 'domain:manage' }, schema: { tags, params: IdParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await domains.remove(request.params.id, contextOf(request));
      return reply.status(204).send(null);
    },
  );
}
