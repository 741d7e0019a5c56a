// /api/v1/sources: discovery sources (TLS endpoints, directories), the plugins behind them, and their runs with
// one result per item scanned.
import { Type } from 'typebox';
import { contextOf } from '../../http/context.ts';
import type { App } from '../../http/types.ts';
import { IdParams } from '../authorities/schemas.ts';
import { describePlugin } from '../plugin-instances.ts';
import {
  CreateSourceBody,
  RunBody,
  RunItemList,
  RunItemQuery,
  RunList,
  RunListQuery,
  RunSchema,
  SourceList,
  SourcePluginList,
  SourceSchema,
  UpdateSourceBody,
} from './schemas.ts';
import type { SourceService } from './service.ts';

export function registerSourceRoutes(app: App, { sources }: { sources: SourceService }): void {
  const tags = ['sources'];
  const read = { permission: 'source:read' as const };
  const manage = { permission: 'source:manage' as const };
  app.get(
    '/api/v1/sources/plugins',
    { config: read, schema: { tags, response: { 200: SourcePluginList } } },
    async () => ({
      items: sources.plugins().map(describePlugin),
    }),
  );
  app.get('/api/v1/sources', { config: read, schema: { tags, response: { 200: SourceList } } }, async () => ({
    items: await sources.list(),
  }));
  app.post(
    '/api/v1/sources',
    { config: manage, schema: { tags, body: CreateSourceBody, response: { 201: SourceSchema } } },
    async (request, reply) => reply.status(201).send(await sources.create(request.body, contextOf(request))),
  );
  app.get(
    '/api/v1/sources/:id',
    { config: read, schema: { tags, params: IdParams, response: { 200: SourceSchema } } },
    async (request) => sources.get(request.params.id),
  );
  app.patch(
    '/api/v1/sources/:id',
    { config: manage, schema: { tags, params: IdParams, body: UpdateSourceBody, response: { 200: SourceSchema } } },
    async (request) => sources.update(request.params.id, request.body, contextOf(request)),
  );
  app.delete(
    '/api/v1/sources/:id',
    { config: manage, schema: { tags, params: IdParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await sources.remove(request.params.id, contextOf(request));
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/api/v1/sources/:id/run',
    {
      config: { permission: 'source:run' },
      schema: { tags, params: IdParams, body: RunBody, response: { 200: RunSchema, 202: RunSchema } },
    },
    async (request, reply) => {
      const run = await sources.start(request.params.id, request.body, contextOf(request));
      return reply.status(run.status === 'running' ? 202 : 200).send(run);
    },
  );
  app.get(
    '/api/v1/sources/:id/runs',
    { config: read, schema: { tags, params: IdParams, querystring: RunListQuery, response: { 200: RunList } } },
    async (request) => ({ items: await sources.runs(request.params.id, request.query.limit) }),
  );
  app.get(
    '/api/v1/sources/runs/:id',
    { config: read, schema: { tags, params: IdParams, response: { 200: RunSchema } } },
    async (request) => sources.run(request.params.id),
  );
  app.get(
    '/api/v1/sources/runs/:id/items',
    { config: read, schema: { tags, params: IdParams, querystring: RunItemQuery, response: { 200: RunItemList } } },
    async (request) => sources.items(request.params.id, request.query),
  );
}
