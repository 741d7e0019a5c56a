// Rotation settings per certificate (/api/v1/certificates/:id/rotation) and bulk rotation by filter.
import { contextOf } from '../../http/context.ts';
import type { App } from '../../http/types.ts';
import { IdParams } from '../authorities/schemas.ts';
import { BulkBody, BulkResult, SettingsBody, SettingsSchema } from './schemas.ts';
import type { RotationSettings } from './settings.ts';

export function registerRotationRoutes(app: App, { rotation }: { rotation: RotationSettings }): void {
  const tags = ['certificates'];
  app.get(
    '/api/v1/certificates/:id/rotation',
    {
      config: { permission: 'certificate:read' },
      schema: { tags, params: IdParams, response: { 200: SettingsSchema } },
    },
    async (request) => rotation.get(request.params.id),
  );
  app.put(
    '/api/v1/certificates/:id/rotation',
    {
      config: { permission: 'certificate:rotate' },
      schema: { tags, params: IdParams, body: SettingsBody, response: { 200: SettingsSchema } },
    },
    async (request) => rotation.set(request.params.id, request.body, contextOf(request)),
  );
  app.post(
    '/api/v1/rotations/bulk',
    { config: { permission: 'certificate:rotate' }, schema: { tags, body: BulkBody, response: { 200: BulkResult } } },
    async (request) => rotation.bulk(request.body.filter, request.body.dryRun ?? false, contextOf(request)),
  );
}
