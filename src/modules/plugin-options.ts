// Plugin settings arrive as free JSON and are checked against the plugin's own TypeBox schema here, so every kind
// of plugin (issuers, destinations, notifications) reports a bad setting the same way: the JSON path and the fix.
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { ValidationError } from '../errors.ts';

/** Throws ValidationError naming the first offending field under `field`, e.g. `options.directoryUrl`. */
export function checkPluginSettings(schema: TSchema, value: unknown, field: string): Record<string, unknown> {
  const input = value ?? {};
  const errors = [...Value.Errors(schema, input)].filter((e) => e.keyword !== 'boolean');
  const first = errors[0];
  if (!first) return input as Record<string, unknown>;
  const extra = (first.params as { additionalProperties?: string[] }).additionalProperties;
  const required = (first.params as { requiredProperties?: string[] }).requiredProperties;
  const path = first.instancePath
    .split('/')
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join('');
  if (extra?.length) throw new ValidationError(`${field}${path}.${extra[0]}`, 'is not a setting of this plugin');
  if (required?.length) throw new ValidationError(`${field}${path}.${required[0]}`, 'is required');
  throw new ValidationError(`${field}${path}`, first.message);
}
