// Request and response schemas of /api/v1/jobs.
import { Type } from 'typebox';
import { StringEnum } from '../../http/schema-types.ts';

export const JobRunSchema = Type.Object({
  id: Type.Integer(),
  status: StringEnum(['running', 'succeeded', 'failed', 'abandoned'] as const),
  trigger: Type.String({ description: '`schedule` or `manual:<who>`' }),
  process: Type.String({ description: 'host:pid of the process that ran it' }),
  result: Type.Union([Type.Record(Type.String(), Type.Unknown(), { description: "the job's summary" }), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  startedAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});

const jobFields = {
  name: Type.String(),
  description: Type.String(),
  intervalSeconds: Type.Integer(),
  lastRun: Type.Union([JobRunSchema, Type.Null()]),
  nextRunAt: Type.String(),
};
export const JobSchema = Type.Object(jobFields);
export const JobDetail = Type.Object({ ...jobFields, runs: Type.Array(JobRunSchema) });
export const JobList = Type.Object({ items: Type.Array(JobSchema) });
export const JobParams = Type.Object({ name: Type.String({ pattern: '^[a-z0-9-]+$', maxLength: 64 }) });
