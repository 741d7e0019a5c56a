// GET /api/v1/endpoints/problems: the dashboard's "problems found by sources", counted over the endpoints still in
// use (not gone). Problems are stored as a JSON list per endpoint, so only rows with one are read and counted here
// (one pass over the endpoints, the same on both dialects); its own file so routes.ts stays as it is.
import { Type } from 'typebox';
import type { Db } from '../../db/index.ts';
import type { App } from '../../http/types.ts';

const ProblemsReply = Type.Object({
  endpoints: Type.Integer({ minimum: 0, description: 'endpoints in use with at least one problem' }),
  byProblem: Type.Array(Type.Object({ problem: Type.String(), endpoints: Type.Integer({ minimum: 0 }) }), {
    description: 'most frequent first',
  }),
});

export async function endpointProblems(db: Db) {
  const rows = await db
    .selectFrom('endpoints')
    .select('problems')
    .where('status', '!=', 'gone')
    .where('problems', '!=', '[]')
    .execute();
  const counts = new Map<string, number>();
  for (const r of rows) for (const p of JSON.parse(r.problems) as string[]) counts.set(p, (counts.get(p) ?? 0) + 1);
  const byProblem = [...counts].map(([problem, endpoints]) => ({ problem, endpoints }));
  byProblem.sort((a, b) => b.endpoints - a.endpoints || a.problem.localeCompare(b.problem));
  return { endpoints: rows.length, byProblem };
}

export function registerEndpointProblemRoutes(app: App, { db }: { db: Db }): void {
  app.get(
    '/api/v1/endpoints/problems',
    {
      config: { permission: 'endpoint:read' },
      schema: { tags: ['endpoints'], response: { 200: ProblemsReply } },
    },
    async () => endpointProblems(db),
  );
}
