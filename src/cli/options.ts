// Parsers for option values shared by the CLI nouns: whole numbers, comma lists that may also repeat
// (`--dns a,b --dns c`), `key=value` labels, and choices. A bad value fails in commander with the option named.
import { InvalidArgumentError } from 'commander';

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
