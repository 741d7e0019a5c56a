// Turns a plugin's JSON Schema (GET /api/v1/issuers/plugins) into form fields and the typed value back: a new
// option in a plugin appears in the UI without a UI change. Only the shapes plugin schemas use are rendered:
// strings, numbers, booleans, enums, and lists of strings; nested objects are entered as JSON.
import type { JsonSchema } from './types.ts';

export type FieldKind = 'text' | 'password' | 'number' | 'boolean' | 'select' | 'list' | 'json';

export interface SchemaField {
  name: string;
  label: string;
  description?: string;
  kind: FieldKind;
  required: boolean;
  choices?: string[];
  schema: JsonSchema;
}

function typeOf(s: JsonSchema): string | undefined {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null');
  if (s.type) return s.type;
  const branch = s.anyOf?.find((b) => b.type !== 'null');
  return branch ? typeOf(branch) : undefined;
}

function kindOf(s: JsonSchema, secret: boolean): FieldKind {
  if (s.enum) return 'select';
  const t = typeOf(s);
  if (t === 'boolean') return 'boolean';
  if (t === 'integer' || t === 'number') return 'number';
  if (t === 'array' && typeOf(s.items ?? {}) === 'string') return 'list';
  if (t === 'object' || t === 'array') return 'json';
  return secret ? 'password' : 'text';
}

export function schemaFields(schema: JsonSchema | undefined, secret = false): SchemaField[] {
  const required = new Set(schema?.required ?? []);
  return Object.entries(schema?.properties ?? {}).map(([name, s]) => ({
    name,
    label: s.title ?? name,
    description: s.description,
    kind: kindOf(s, secret),
    required: required.has(name),
    choices: s.enum?.map(String),
    schema: s,
  }));
}

/** The typed value of what was typed, or an error message for the field. Empty optional fields are omitted. */
export function parseField(f: SchemaField, raw: string | boolean | undefined): { value?: unknown; error?: string } {
  if (f.kind === 'boolean') return { value: raw === true ? true : raw === false && f.required ? false : undefined };
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (!text) return f.required ? { error: `${f.label} is required` } : {};
  if (f.kind === 'number') {
    const n = Number(text);
    if (!Number.isFinite(n) || (typeOf(f.schema) === 'integer' && !Number.isInteger(n)))
      return { error: `${f.label} must be ${typeOf(f.schema) === 'integer' ? 'a whole number' : 'a number'}` };
    if (f.schema.minimum !== undefined && n < f.schema.minimum)
      return { error: `${f.label} must be at least ${f.schema.minimum}` };
    if (f.schema.maximum !== undefined && n > f.schema.maximum)
      return { error: `${f.label} must be at most ${f.schema.maximum}` };
    return { value: n };
  }
  if (f.kind === 'list')
    return {
      value: text
        .split(/[\n,]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    };
  if (f.kind === 'json') {
    try {
      return { value: JSON.parse(text) };
    } catch {
      return { error: `${f.label} must be JSON, e.g. {"key": "value"}` };
    }
  }
  if (f.schema.pattern && !new RegExp(f.schema.pattern).test(text)) {
    return { error: `${f.label} does not have the expected form (${f.schema.pattern})` };
  }
  if (f.schema.minLength !== undefined && text.length < f.schema.minLength)
    return { error: `${f.label} needs at least ${f.schema.minLength} characters` };
  return { value: text };
}

export type RawValues = Record<string, string | boolean | undefined>;

/** Every field parsed: the object to send, and the errors by field name (empty when it can be sent). */
export function collectValues(fields: SchemaField[], raw: RawValues) {
  const value: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const r = parseField(f, raw[f.name]);
    if (r.error) errors[f.name] = r.error;
    else if (r.value !== undefined) value[f.name] = r.value;
  }
  return { value, errors };
}

/** What a form shows for saved settings (editing an instance): the inverse of collectValues. */
export function rawValues(fields: SchemaField[], saved: Record<string, unknown>): RawValues {
  const raw: RawValues = {};
  for (const f of fields) {
    const v = saved[f.name];
    if (v === undefined || v === null) continue;
    if (f.kind === 'boolean') raw[f.name] = v === true;
    else if (f.kind === 'list' && Array.isArray(v)) raw[f.name] = v.join('\n');
    else if (f.kind === 'json') raw[f.name] = JSON.stringify(v);
    else raw[f.name] = String(v);
  }
  return raw;
}
