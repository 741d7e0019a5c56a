// What every configured plugin instance (an issuer, a source, a destination …) shares: the rule for its name,
// the columns a new instance stores (options as JSON, secrets as a sealed row), the fields an update audits, and
// how a plugin describes itself to the API. One place, so the kinds of plugin cannot drift apart.
import type { TSchema } from 'typebox';
import { ValidationError } from '../errors.ts';
import type { RequestContext } from './request-context.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Throws ValidationError on `name` unless it is 1–64 letters, digits, dots, dashes or underscores. */
export function checkInstanceName(name: string): void {
  if (!NAME.test(name)) {
    throw new ValidationError(
      'name',
      'use 1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit',
    );
  }
}

/** The stored columns of a new instance whose secrets are already sealed in row `secretsId`. */
export function newInstanceColumns(
  input: { name: string; owner?: string; description?: string },
  plugin: string,
  options: Record<string, unknown>,
  secretsId: number,
  ctx: RequestContext,
  now: string,
) {
  return {
    name: input.name,
    plugin,
    options: JSON.stringify(options),
    secrets_id: secretsId,
    owner: input.owner ?? null,
    description: input.description ?? null,
    created_at: now,
    created_by: ctx.principal.actor,
    updated_at: now,
  };
}

/** The setting names an update changes, secrets prefixed `secrets.` (names only: values are never audited). */
export function changedFields(input: {
  options?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
}): string[] {
  return [...Object.keys(input.options ?? {}), ...Object.keys(input.secrets ?? {}).map((k) => `secrets.${k}`)];
}

/** A plugin as GET …/plugins lists it: its identity and the JSON Schemas of its settings. */
export function pluginDescription(p: {
  type: string;
  title: string;
  description: string;
  options: TSchema;
  secrets: TSchema;
}) {
  return {
    type: p.type,
    title: p.title,
    description: p.description,
    options: p.options as Record<string, unknown>,
    secrets: p.secrets as Record<string, unknown>,
  };
}
