// /api/v1/jobs: the background jobs, their last and next runs, and running one now.
import { contextOf } from '../../http/context.ts';
import type { App } from '../../http/types.ts';
import { JobDetail, JobList, JobParams, JobRunSchema } from './schemas.ts';
import type { JobService } from './service.ts';

export function registerJobRoutes(app: App, { jobs }: { jobs: JobService }): void {
  const tags = ['jobs'];
  app.get(
    '/api/v1/jobs',
    { config: { permission: 'job:read' }, schema: { tags, response: { 200: JobList } } },
    async () => ({ items: await jobs.list() }),
  );
  app.get(
    '/api/v1/jobs/:name',
    { config: { permission: 'job:read' }, schema: { tags, params: JobParams, response: { 200: JobDetail } } },
    async (request) => jobs.get(request.params.name),
  );
  app.post(
    '/api/v1/jobs/:name/run',
    { config: { permission: 'job:run' }, schema: { tags, params: JobParams, response: { 200: JobRunSchema } } },
    async (request) => jobs.run(request.params.name, contextOf(request)),
  );
}
