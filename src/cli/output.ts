import { usageError } from './exit-codes.js';

export type OutputFormat = 'table' | 'json';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json'];

export function parseOutputFormat(value: string): OutputFormat {
  const format = OUTPUT_FORMATS.find((f) => f === value.toLowerCase());
  if (!format) throw usageError(`--output must be one of ${OUTPUT_FORMATS.join(', ')}, not '${value}'.`);
  return format;
}

export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => unknown;
  /** Longer cells are cut with an ellipsis so a row stays on one line. */
  readonly max?: number;
}

function cell(value: unknown, max: number): string {
  const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Aligned columns with an upper-case header, as `kubectl get` prints them. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  if (rows.length === 0) return '(none)\n';
  const cells = rows.map((r) => columns.map((c) => cell(c.value(r), c.max ?? 60)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: readonly string[]) => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return `${[line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join('\n')}\n`;
}

/** `key: value` lines for one object (nested values as JSON). */
export function renderFields(fields: ReadonlyArray<readonly [string, unknown]>): string {
  const width = Math.max(...fields.map(([k]) => k.length));
  return `${fields.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${cell(v, 500)}`).join('\n')}\n`;
}

/** Prints `data` as JSON for scripts, or the human rendering. */
export function emit(format: OutputFormat, data: unknown, human: () => string): void {
  process.stdout.write(format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : human());
}
