// /api/v1/authorities: create, list, show, chain.
import { Type } from 'typebox';
import { contextOf } from '../../http/context.ts';
import type { App } from '../../http/types.ts';
import type { Services } from '../../services.ts';
import {
  AuthorityDetailSchema,
  AuthorityListSchema,
  AuthoritySchema,
  CreateAuthorityBody,
  IdParams,
  UpdateAuthorityBody,
} from './schemas.ts';
import { authorityDetailView, authorityView } from './views.ts';

export function registerAuthorityRoutes(app: App, { authorities }: Pick<Services, 'authorities'>): void {
  const tags = ['authorities'];
  app.post(
    '/api/v1/authorities',
    {
      config: { permission: 'authority:create' },
      schema: { tags, body: CreateAuthorityBody, response: { 201: AuthoritySchema } },
    },
    async (request, reply) =>
      reply.status(201).send(authorityView(await authorities.create(request.body, contextOf(request)))),
  );
  app.get(
    '/api/v1/authorities',
    { config: { permission: 'authority:read' }, schema: { tags, response: { 200: AuthorityListSchema } } },
    async () => ({ items: (await authorities.list()).map(authorityView) }),
  );
  app.get(
    '/api/v1/authorities/:id',
    {
      config: { permission: 'authority:read' },
      schema: { tags, params: IdParams, response: { 200: AuthorityDetailSchema } },
    },
    async (request) => {
      const lineage = await authorities.lineage(request.params.id);
      return authorityDetailView(lineage[0]!, lineage);
    },
  );
  app.patch(
    '/api/v1/authorities/:id',
    {
      config: { permission: 'authority:update' },
      schema: { tags, params: IdParams, body: UpdateAuthorityBody, response: { 200: AuthoritySchema } },
    },
    async (request) => authorityView(await authorities.update(request.params.id, request.body, contextOf(request))),
  );
  app.get(
    '/api/v1/authorities/:id/chain',
    {
      config: { permission: 'authority:read' },
      schema: {
        tags,
        params: IdParams,
        response: {
          200: {
            description: 'PEM, the authority first, up to its root',
            content: { 'application/x-pem-file': { schema: Type.String() } },
          },
        },
      },
    },
    async (request, reply) => reply.type('application/x-pem-file').send(await authorities.chainPem(request.params.id)),
  );
}
