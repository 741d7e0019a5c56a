// How the CLI prints: aligned tables for lists, `key: value` blocks for one object, pretty JSON for --json, and
// files written exactly as received (mode 0600 when they may hold a private key). Plain string padding, no
// dependency: the output must stay stable for people who grep it.
import fs from 'node:fs';

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** --json: the API's answer, verbatim but indented. */
export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}

export type Cell = string | number | null | undefined;
export type Field = [key: string, value: Cell | Cell[]];

const cell = (v: Cell): string => (v === null || v === undefined || v === '' ? '-' : String(v));

/** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
export function formatTable(headers: string[], rows: Cell[][]): string {
  const text = [headers, ...rows.map((r) => r.map(cell))];
  const widths = headers.map((_, i) => Math.max(...text.map((r) => (r[i] ?? '').length)));
  return text
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function printTable(headers: string[], rows: Cell[][]): void {
  print(formatTable(headers, rows));
}

/** `Key:   value` lines, keys aligned; empty values show as `-`, and lists of several values continue underneath. */
export function formatFields(fields: Field[]): string {
  const width = Math.max(...fields.map(([k]) => k.length)) + 2;
  const lines: string[] = [];
  for (const [key, value] of fields) {
    const values = Array.isArray(value) ? (value.length ? value.map(cell) : ['-']) : [cell(value)];
    values.forEach((v, i) => {
      lines.push(`${(i === 0 ? `${key}:` : '').padEnd(width)}${v}`);
    });
  }
  return lines.join('\n');
}

export function printFields(fields: Field[]): void {
  print(formatFields(fields));
}

/** `2026-05-01T12:00:00.000Z` -> `2026-05-01 12:00 UTC`; anything else unchanged. */
export function formatTime(iso: string | null | undefined): string | undefined {
  if (!iso) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/** `2026-05-01T12:00:00.000Z` -> `2026-05-01`, for narrow table columns. */
export const formatDate = (iso: string | null | undefined): string | undefined => iso?.slice(0, 10);

/**
 * Writes bytes exactly; `secret` files get mode 0600 even when they already existed with a wider mode, and the
 * mode is set before a byte is written. `-` means standard output.
 */
export function writeFile(file: string, data: Buffer | string, opts: { secret?: boolean } = {}): void {
  if (file === '-') {
    process.stdout.write(data);
    return;
  }
  const mode = opts.secret ? 0o600 : 0o644;
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'w', mode);
    if (opts.secret) fs.fchmodSync(fd, mode);
    fs.writeFileSync(fd, data);
  } catch (e) {
    throw new Error(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Reads a file the user named, with an error that names it. */
export function readFile(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new Error(
      `cannot read the ${what} file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}
