// /api/v1/requests: certificate requests held for approval; security reviewers approve or reject them.
import { contextOf } from '../../http/context.ts';
import type { App } from '../../http/types.ts';
import { IdParams } from '../authorities/schemas.ts';
import type { DeploymentService } from '../destinations/deploy.ts';
import { DecisionBody, ListRequestsQuery, RequestList, RequestSchema } from './schemas.ts';
import type { RequestService } from './service.ts';

export function registerRequestRoutes(
  app: App,
  { requests, deployments }: { requests: RequestService; deployments: Pick<DeploymentService, 'deployNew'> },
): void {
  const tags = ['requests'];
  app.get(
    '/api/v1/requests',
    {
      config: { permission: 'request:read' },
      schema: { tags, querystring: ListRequestsQuery, response: { 200: RequestList } },
    },
    async (request) => ({ items: await requests.list(request.query, contextOf(request)) }),
  );
  app.get(
    '/api/v1/requests/:id',
    { config: { permission: 'request:read' }, schema: { tags, params: IdParams, response: { 200: RequestSchema } } },
    async (request) => requests.get(request.params.id),
  );
  app.post(
    '/api/v1/requests/:id/approve',
    {
      config: { permission: 'request:approve' },
      schema: { tags, params: IdParams, body: DecisionBody, response: { 200: RequestSchema } },
    },
    async (request) => {
      const approved = await requests.approve(request.params.id, request.body.comment, contextOf(request));
      // Issued now, so deployed now: to the destinations the requester named.
      if (approved.certificateId !== null) await deployments.deployNew(approved.certificateId, contextOf(request));
      return approved;
    },
  );
  app.post(
    '/api/v1/requests/:id/reject',
    {
      config: { permission: 'request:approve' },
      schema: { tags, params: IdParams, body: DecisionBody, response: { 200: RequestSchema } },
    },
    async (request) => requests.reject(request.params.id, request.body.comment, contextOf(request)),
  );
}
