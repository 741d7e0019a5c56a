// Parsers for option values shared by the CLI nouns: whole numbers, comma lists that may also repeat
// (`--dns a,b --dns c`), `key=value` labels, and choices. A bad value fails in commander with the option named.
// Also the references commands take (an id or a name) and secrets read from standard input.
import { InvalidArgumentError } from 'commander';
import type { ApiClient } from './client.ts';

export function integer(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number.');
  return Number(value);
}

/** Accumulates comma-separated values over repeated uses of the option. */
export function list(value: string, previous: string[] | undefined): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return [...(previous ?? []), ...items];
}

/** Accumulates `key=value` pairs over repeated uses of the option. */
export function label(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError(`expected key=value, got '${value}'.`);
  return { ...(previous ?? {}), [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function choice<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`expected one of: ${allowed.join(', ')}.`);
    }
    return value as T;
  };
}

/** The numeric id in a path, so `tarsier cert show abc` fails here rather than as an odd URL. */
export function id(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError(`'${value}' is not an id (a positive whole number).`);
  return Number(value);
}

/** Drops undefined fields so the request body carries only what the user gave. */
export function defined<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `12` -> 12; anything else is a name (of a user, a role, a domain) that the command looks up. */
export function idOrName(value: string): number | string {
  if (/^[1-9]\d*$/.test(value)) return Number(value);
  if (!value.trim()) throw new InvalidArgumentError('expected an id or a name.');
  return value;
}

/**
 * The id a command acts on: an id as given, or the id of the one item of `path`'s list whose name matches.
 * Lists of users, roles and domains are short, so a name costs one request and needs no search endpoint.
 */
export async function resolveId<T extends { id: number }>(
  client: ApiClient,
  ref: number | string,
  what: { path: string; kind: string; name: (item: T) => string; normalize?: (name: string) => string; hint: string },
): Promise<{ id: number; item?: T }> {
  if (typeof ref === 'number') return { id: ref };
  const wanted = what.normalize ? what.normalize(ref) : ref;
  const { body } = await client.json<{ items: T[] }>('GET', what.path);
  const item = body.items.find((i) => what.name(i) === wanted);
  if (!item) throw new Error(`no ${what.kind} named '${ref}'; list them with \`${what.hint}\``);
  return { id: item.id, item };
}

/** key=value, the value JSON when it parses as JSON (numbers, booleans, objects), else the string. */
export function setting(value: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const eq = value.indexOf('=');
  if (eq < 1) throw new Error(`'${value}' is not key=value`);
  const raw = value.slice(eq + 1);
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // a plain string
  }
  return { ...previous, [value.slice(0, eq)]: parsed };
}

/** All of standard input; only the final line break `echo` or a file adds is dropped. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * A password from --password-stdin (preferred: it stays out of the shell history and the process list) or
 * --password; undefined when neither was given, and an error when both were.
 */
export async function passwordFrom(flags: { password?: string; passwordStdin?: boolean }): Promise<string | undefined> {
  if (flags.passwordStdin && flags.password !== undefined)
    throw new Error('give --password-stdin or --password, not both');
  if (flags.passwordStdin) return readStdin();
  return flags.password;
}
