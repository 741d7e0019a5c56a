// /api/v1/audit-events: query the audit log, and verify its hash chain.
import type { App } from '../../http/types.ts';
import type { Services } from '../../services.ts';
import { AuditEventList, AuditListQuery, ChainReportSchema } from './schemas.ts';

export function registerAuditRoutes(app: App, { audit }: Pick<Services, 'audit'>): void {
  const tags = ['audit'];

  app.get(
    '/api/v1/audit-events',
    {
      config: { permission: 'audit:read' },
      schema: { tags, querystring: AuditListQuery, response: { 200: AuditEventList } },
    },
    async (request) => audit.list(request.query),
  );
  app.post(
    '/api/v1/audit-events/verify',
    {
      config: { permission: 'audit:read' },
      schema: { tags, response: { 200: ChainReportSchema } },
    },
    async () => audit.verify(),
  );
}
