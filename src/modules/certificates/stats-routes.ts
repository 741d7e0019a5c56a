// GET /api/v1/certificates/stats: the dashboard's aggregates (see stats.ts). Its own file so the inventory's
// routes.ts stays as it is.
import { Type } from 'typebox';
import { StringEnum } from '../../http/schema-types.ts';
import type { App } from '../../http/types.ts';
import { type CertificateStatsService, STAT_DIMENSIONS, type StatDimension } from './stats.ts';

const StatsQuery = Type.Object(
  {
    days: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 366, description: 'days ahead in the chart (default 90)' }),
    ),
    by: Type.Optional(
      StringEnum(Object.keys(STAT_DIMENSIONS) as StatDimension[], {
        description: 'split the chart by authority (id), owner or keyType (default authority)',
      }),
    ),
  },
  { additionalProperties: false },
);

const Count = Type.Integer({ minimum: 0 });
const StatsReply = Type.Object({
  at: Type.String({ format: 'date-time' }),
  total: Count,
  byStatus: Type.Object({ valid: Count, expired: Count, revoked: Count, notYetValid: Count }),
  expiring: Type.Object({
    days: Type.Integer(),
    by: Type.String(),
    start: Type.String({ format: 'date-time', description: 'midnight UTC of the first day' }),
    series: Type.Array(
      Type.Object({
        key: Type.String({ description: "the authority id, owner or key type; '' for none, '(other)' for the rest" }),
        counts: Type.Array(Count, { description: 'one count per day from start' }),
      }),
    ),
  }),
});

export function registerCertificateStatsRoutes(
  app: App,
  { certificateStats }: { certificateStats: CertificateStatsService },
) {
  app.get(
    '/api/v1/certificates/stats',
    {
      config: { permission: 'certificate:read' },
      schema: { tags: ['certificates'], querystring: StatsQuery, response: { 200: StatsReply } },
    },
    async (request) => certificateStats.stats(request.query.days ?? 90, request.query.by ?? 'authority'),
  );
}
