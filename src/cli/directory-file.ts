import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { usageError } from './exit-codes.js';

/** One user as the import endpoint takes it. */
export interface ImportRow {
  userPrincipalName?: string;
  displayName?: string;
  jobTitle?: string;
  mail?: string;
  manager?: string;
  groups?: string[];
}

export interface DirectoryFile {
  readonly users: ImportRow[];
  readonly groups: { displayName: string; description?: string }[];
  /** Where each of `users` is in the file (0-based), since they are sent managers first. */
  readonly positions?: number[];
}

export const CSV_COLUMNS = ['userPrincipalName', 'displayName', 'jobTitle', 'manager', 'groups'] as const;
const OPTIONAL_CSV_COLUMNS = ['mail'] as const;

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') { record.push(field); field = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || record.length > 0) { record.push(field); records.push(record); }
  return records.filter((r) => r.some((f) => f.trim() !== ''));
}

function fromCsv(text: string): DirectoryFile {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  if (!header) throw usageError('The CSV file is empty.');
  const known = [...CSV_COLUMNS, ...OPTIONAL_CSV_COLUMNS] as readonly string[];
  const columns = header.map((h) => known.find((k) => k.toLowerCase() === h.trim().toLowerCase()));
  const unknown = header.filter((_h, i) => !columns[i]);
  if (unknown.length > 0) throw usageError(`Unknown CSV column(s) ${unknown.map((u) => `'${u}'`).join(', ')}; the header is ${CSV_COLUMNS.join(',')} (mail optional).`);
  if (!columns.includes('userPrincipalName')) throw usageError(`The CSV header needs userPrincipalName; expected ${CSV_COLUMNS.join(',')}.`);
  const users = rows.map((cells) => {
    const row: ImportRow = {};
    columns.forEach((column, i) => {
      const value = cells[i]?.trim() ?? '';
      if (value === '') return;
      if (column === 'groups') row.groups = value.split(';').map((g) => g.trim()).filter(Boolean);
      else row[column as Exclude<keyof ImportRow, 'groups'>] = value;
    });
    return row;
  });
  return { users, groups: [] };
}

function fromJson(text: string): DirectoryFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw usageError(`The JSON file is not valid JSON: ${(error as Error).message}`);
  }
  const body = Array.isArray(parsed) ? { users: parsed } : parsed as { users?: unknown; groups?: unknown };
  if (!body || !Array.isArray(body.users)) throw usageError('The JSON file must be an array of users or an object {"users": [...], "groups": [...]}.');
  return { users: body.users as ImportRow[], groups: Array.isArray(body.groups) ? body.groups as DirectoryFile['groups'] : [] };
}

/**
 * The order (as positions) in which each manager precedes the people who report to them: the server
 * resolves a manager from the store or the same batch, so every batch then finds the managers it names.
 */
export function managersFirst(users: readonly ImportRow[]): number[] {
  const byUpn = new Map(users.flatMap((u, i) => (u.userPrincipalName ? [[u.userPrincipalName.toLowerCase(), i] as const] : [])));
  const placed = new Set<number>();
  const ordered: number[] = [];
  users.forEach((_u, start) => {
    // Walk up the chain to the first manager already placed (or none), then place the chain top-down.
    const chain: number[] = [];
    const onChain = new Set<number>();
    let current: number | undefined = start;
    while (current !== undefined && !placed.has(current) && !onChain.has(current)) {
      chain.push(current);
      onChain.add(current);
      const manager: string | undefined = users[current]!.manager;
      current = manager ? byUpn.get(manager.toLowerCase()) : undefined;
    }
    for (const i of chain.reverse()) { placed.add(i); ordered.push(i); }
  });
  return ordered;
}

/** Reads a JSON or CSV directory file (by extension, else by its first character). */
export function readDirectoryFile(path: string): DirectoryFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw usageError(`Cannot read '${path}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
  const ext = extname(path).toLowerCase();
  const json = ext === '.json' || (ext !== '.csv' && /^\s*[[{]/.test(text));
  const file = json ? fromJson(text) : fromCsv(text);
  const positions = managersFirst(file.users);
  return { ...file, users: positions.map((i) => file.users[i]!), positions };
}
