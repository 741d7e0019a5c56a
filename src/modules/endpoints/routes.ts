// /api/v1/endpoints: where certificates were seen; and /api/v1/certificates/{id}/endpoints, a certificate's
// places (kept here rather than in certificates/routes.ts so that the certificates module need not know sources).
import type { App } from '../../http/types.ts';
import { IdParams } from '../authorities/schemas.ts';
import type { CertificateService } from '../certificates/service.ts';
import { CertificateEndpointList, EndpointDetail, EndpointList, EndpointQuery } from './schemas.ts';
import type { EndpointService } from './service.ts';

export function registerEndpointRoutes(
  app: App,
  { endpoints, certificates }: { endpoints: EndpointService; certificates: Pick<CertificateService, 'get'> },
): void {
  const tags = ['endpoints'];
  app.get(
    '/api/v1/endpoints',
    {
      config: { permission: 'endpoint:read' },
      schema: { tags, querystring: EndpointQuery, response: { 200: EndpointList } },
    },
    async (request) => {
      const { cursor, limit = 100, ...filter } = request.query;
      const items = await endpoints.list({ ...filter, after: cursor ? Number(cursor) : undefined, limit });
      return { items, next: items.length === limit ? String(items[items.length - 1]!.id) : null };
    },
  );
  app.get(
    '/api/v1/endpoints/:id',
    { config: { permission: 'endpoint:read' }, schema: { tags, params: IdParams, response: { 200: EndpointDetail } } },
    async (request) => endpoints.get(request.params.id),
  );
  app.get(
    '/api/v1/certificates/:id/endpoints',
    {
      config: { permission: 'certificate:read' },
      schema: { tags: ['certificates', ...tags], params: IdParams, response: { 200: CertificateEndpointList } },
    },
    async (request) => {
      await certificates.get(request.params.id);
      return { items: await endpoints.ofCertificate(request.params.id) };
    },
  );
}
