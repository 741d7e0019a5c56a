// /api/v1/pending-certificates: issuance an external issuer is still working on.
import { contextOf } from '../../http/context.ts';
import type { App } from '../../http/types.ts';
import { IdParams } from '../authorities/schemas.ts';
import { PendingList, PendingQuery, PendingSchema } from '../issuers/schemas.ts';
import type { PendingService } from './service.ts';

export function registerPendingRoutes(app: App, { pending }: { pending: PendingService }): void {
  const tags = ['pending certificates'];
  const one = { 200: PendingSchema };
  app.get(
    '/api/v1/pending-certificates',
    {
      config: { permission: 'certificate:read' },
      schema: { tags, querystring: PendingQuery, response: { 200: PendingList } },
    },
    async (request) => ({ items: await pending.list(request.query) }),
  );
  app.get(
    '/api/v1/pending-certificates/:id',
    { config: { permission: 'certificate:read' }, schema: { tags, params: IdParams, response: one } },
    async (request) => pending.get(request.params.id),
  );
  app.post(
    '/api/v1/pending-certificates/:id/retry',
    { config: { permission: 'certificate:issue' }, schema: { tags, params: IdParams, response: one } },
    async (request) => pending.retry(request.params.id, contextOf(request)),
  );
  app.post(
    '/api/v1/pending-certificates/:id/cancel',
    { config: { permission: 'certificate:issue' }, schema: { tags, params: IdParams, response: one } },
    async (request) => pending.cancel(request.params.id, contextOf(request)),
  );
}
