// The one place where errors become HTTP answers: {"error": {"code", "message", "details"}}. Typed errors carry
// their code; schema failures are rewritten to name the field; anything else is a bug, logged with its stack.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { TarsierError } from '../errors.ts';

interface AjvIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** `/sans/dns/2` -> `sans.dns[2]` */
export function fieldOf(instancePath: string, prefix = ''): string {
  const parts = instancePath.split('/').filter(Boolean);
  let out = prefix;
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out || prefix;
}

function describe(issue: AjvIssue, context: string): { field: string; message: string } {
  // Body fields and query parameters are named as the caller wrote them (sans.dns[2], sort); the context only
  // names the whole when the whole is wrong.
  let field = fieldOf(issue.instancePath ?? '');
  let message = issue.message ?? 'is invalid';
  const params = issue.params ?? {};
  if (issue.keyword === 'additionalProperties') {
    field = fieldOf(
      `${issue.instancePath ?? ''}/${String(params.additionalProperty)}`,
      context === 'body' ? '' : context,
    );
    message = 'is not a known field; check its spelling in the API documentation (/api/v1/openapi.json)';
  } else if (issue.keyword === 'required') {
    field = fieldOf(`${issue.instancePath ?? ''}/${String(params.missingProperty)}`);
    message = 'is required';
  } else if (issue.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    message = `must be one of: ${params.allowedValues.join(', ')}`;
  }
  return { field: field || context, message };
}

function pickIssue(issues: AjvIssue[]): AjvIssue {
  // A union of literals yields one "must be equal to constant" per branch; prefer the most specific issue.
  const consts = issues.filter((i) => i.keyword === 'const');
  if (consts.length > 1) {
    const allowed = consts.map((i) => String(i.params?.allowedValue));
    return { instancePath: consts[0]!.instancePath, keyword: 'enum', params: { allowedValues: allowed } };
  }
  return issues.find((i) => i.keyword !== 'anyOf' && i.keyword !== 'allOf') ?? issues[0] ?? {};
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof TarsierError) {
    if (error.status >= 500) request.log.error({ err: error }, error.message);
    void reply
      .status(error.status)
      .send({ error: { code: error.code, message: error.message, details: error.details ?? {} } });
    return;
  }
  if (error.validation) {
    const { field, message } = describe(pickIssue(error.validation as AjvIssue[]), error.validationContext ?? 'body');
    void reply
      .status(400)
      .send({ error: { code: 'validation_failed', message: `${field}: ${message}`, details: { field } } });
    return;
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    // Fastify's own 4xx: malformed JSON, wrong content type, body too large.
    const message =
      error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? 'send the body as application/json'
        : error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
          ? 'the body is empty; send a JSON object'
          : `the request body could not be read: ${error.message}`;
    void reply
      .status(error.statusCode)
      .send({ error: { code: 'validation_failed', message, details: { field: 'body' } } });
    return;
  }
  request.log.error({ err: error }, 'unexpected error');
  void reply
    .status(500)
    .send({ error: { code: 'internal', message: 'an unexpected error occurred; it has been logged', details: {} } });
}
