// /api/v1/destinations (CRUD, plugins, test), deploying a certificate and its deployment history, and the public
// one-time key links a `key-link` webhook sends instead of the key.
import { Type } from 'typebox';
import { contextOf } from '../../http/context.ts';
import type { App } from '../../http/types.ts';
import { IdParams } from '../authorities/schemas.ts';
import { describePlugin } from '../plugin-instances.ts';
import type { DeploymentService } from './deploy.ts';
import {
  CreateDestinationBody,
  DeployBody,
  DeployedList,
  DeploymentList,
  DestinationList,
  DestinationPluginList,
  DestinationSchema,
  KeyLinkBody,
  TestResult,
  UpdateDestinationBody,
} from './schemas.ts';
import type { DestinationService } from './service.ts';

export function registerDestinationRoutes(
  app: App,
  { destinations, deployments }: { destinations: DestinationService; deployments: DeploymentService },
): void {
  const tags = ['destinations'];
  const one = { 200: DestinationSchema };
  const read = { permission: 'destination:read' as const };
  const manage = { permission: 'destination:manage' as const };
  app.get(
    '/api/v1/destinations/plugins',
    { config: read, schema: { tags, response: { 200: DestinationPluginList } } },
    async () => ({
      items: destinations.plugins().map(describePlugin),
    }),
  );
  app.get('/api/v1/destinations', { config: read, schema: { tags, response: { 200: DestinationList } } }, async () => ({
    items: await destinations.list(),
  }));
  app.post(
    '/api/v1/destinations',
    { config: manage, schema: { tags, body: CreateDestinationBody, response: { 201: DestinationSchema } } },
    async (request, reply) => reply.status(201).send(await destinations.create(request.body, contextOf(request))),
  );
  app.get(
    '/api/v1/destinations/:id',
    { config: read, schema: { tags, params: IdParams, response: one } },
    async (request) => destinations.get(request.params.id),
  );
  app.patch(
    '/api/v1/destinations/:id',
    { config: manage, schema: { tags, params: IdParams, body: UpdateDestinationBody, response: one } },
    async (request) => destinations.update(request.params.id, request.body, contextOf(request)),
  );
  app.delete(
    '/api/v1/destinations/:id',
    { config: manage, schema: { tags, params: IdParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await destinations.remove(request.params.id, contextOf(request));
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/api/v1/destinations/:id/test',
    { config: manage, schema: { tags, params: IdParams, response: { 200: TestResult } } },
    async (request) => destinations.test(request.params.id, contextOf(request)),
  );
  app.post(
    '/api/v1/certificates/:id/deploy',
    {
      config: { permission: 'certificate:deploy' },
      schema: { tags, params: IdParams, body: DeployBody, response: { 200: DeploymentList } },
    },
    async (request) => ({
      items: await deployments.deploy(request.params.id, request.body.destinations, contextOf(request)),
    }),
  );
  app.get(
    '/api/v1/certificates/:id/deployments',
    {
      config: { permission: 'certificate:read' },
      schema: { tags, params: IdParams, response: { 200: DeploymentList } },
    },
    async (request) => ({ items: await deployments.listForCertificate(request.params.id) }),
  );
  app.get(
    '/api/v1/certificates/:id/deployed',
    { config: { permission: 'certificate:read' }, schema: { tags, params: IdParams, response: { 200: DeployedList } } },
    async (request) => ({ items: await deployments.inspect(request.params.id) }),
  );
  app.post(
    '/api/v1/key-links',
    { config: { public: true }, schema: { tags, body: KeyLinkBody } },
    async (request, reply) => {
      const pem = await deployments.redeemKeyLink(request.body.token, request.ip);
      return reply.header('cache-control', 'no-store').type('application/x-pem-file').send(pem);
    },
  );
}
