import type { FastifyRequest } from 'fastify';
import { ApiError } from '../api-error.js';

export const MAX_PAGE_SIZE = 999;
export const DEFAULT_PAGE_SIZE = 100;

/** Graph's beta accepts system query options without the `$`; v1.0 needs it. Read both. */
export function queryOption(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[`$${name}`] ?? query[name];
  if (Array.isArray(value)) throw new ApiError('BAD_REQUEST', `Query option '$${name}' was given more than once.`);
  return typeof value === 'string' ? value : undefined;
}

export function pageSize(query: Record<string, unknown>): number {
  const top = queryOption(query, 'top');
  if (top === undefined) return DEFAULT_PAGE_SIZE;
  if (!/^\d+$/.test(top) || Number(top) < 1) throw new ApiError('BAD_REQUEST', `Invalid value '${top}' for $top: a positive integer is expected.`);
  return Math.min(Number(top), MAX_PAGE_SIZE);
}

/** `$skiptoken` is opaque to clients: base64url JSON of the keyset position. */
export function encodeSkipToken(position: object): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeSkipToken<T>(query: Record<string, unknown>, check: (v: unknown) => v is T): T | null {
  const token = queryOption(query, 'skiptoken');
  if (token === undefined) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (check(value)) return value;
  } catch { /* reported below */ }
  throw new ApiError('BAD_REQUEST', 'The $skiptoken is invalid; use @odata.nextLink as given.');
}

/** The absolute URL this request was made to, as the client addressed it. */
export function requestBaseUrl(request: FastifyRequest): string {
  const encrypted = Boolean((request.raw.socket as { encrypted?: boolean }).encrypted);
  const host = request.headers.host ?? `${request.hostname}`;
  return `${encrypted ? 'https' : 'http'}://${host}`;
}

export function nextLink(request: FastifyRequest, token: string): string {
  const url = new URL(request.url, requestBaseUrl(request));
  url.searchParams.delete('$skiptoken');
  url.searchParams.delete('skiptoken');
  url.searchParams.set('$skiptoken', token);
  return url.toString();
}

// ---- $select ----------------------------------------------------------------------------------

export function applySelect<T extends Record<string, unknown>>(items: T[], query: Record<string, unknown>): Record<string, unknown>[] {
  const select = queryOption(query, 'select');
  if (!select) return items;
  const fields = select.split(',').map((f) => f.trim()).filter(Boolean);
  if (fields.some((f) => !/^[A-Za-z@][\w.@/]*$/.test(f))) throw new ApiError('BAD_REQUEST', `Invalid $select '${select}'.`);
  return items.map((item) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(item)) if (k.startsWith('@odata.') || k === 'id' || fields.includes(k)) out[k] = v;
    return out;
  });
}

/** `$select` on a single entity; the @odata annotations and id always stay. */
export function selectOne(item: Record<string, unknown>, query: Record<string, unknown>): Record<string, unknown> {
  return applySelect([item], query)[0]!;
}

// ---- $filter ----------------------------------------------------------------------------------
// A small OData subset: comparisons (eq ne gt ge lt le) of a property path with a literal,
// combined with and / or / not and parentheses. Enough for Graph's documented filters here.

type Literal = string | number | boolean | null;
type Expr =
  | { kind: 'cmp'; path: string[]; op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; value: Literal }
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr };

const TOKEN = /\s*(?:(\()|(\))|'((?:[^']|'')*)'|([A-Za-z_][\w./]*)|(-?\d+(?:\.\d+)?)|([0-9a-fA-F-]{36}))/y;

function tokenize(text: string): Array<{ t: 'lp' | 'rp' | 'str' | 'word' | 'num'; v: string }> {
  const out: Array<{ t: 'lp' | 'rp' | 'str' | 'word' | 'num'; v: string }> = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) throw new ApiError('BAD_REQUEST', `Invalid $filter near '${text.slice(pos, pos + 20)}'.`);
    if (m[1]) out.push({ t: 'lp', v: '(' });
    else if (m[2]) out.push({ t: 'rp', v: ')' });
    else if (m[3] !== undefined) out.push({ t: 'str', v: m[3].replace(/''/g, "'") });
    else if (m[4]) out.push({ t: 'word', v: m[4] });
    else if (m[5]) out.push({ t: 'num', v: m[5] });
    else out.push({ t: 'str', v: m[6]! });
    pos = TOKEN.lastIndex;
  }
  return out;
}

export function parseFilter(text: string): Expr {
  if (text.length > 2000) throw new ApiError('BAD_REQUEST', '$filter is too long.');
  const tokens = tokenize(text);
  let i = 0;
  const fail = (): never => { throw new ApiError('BAD_REQUEST', `Invalid $filter '${text}': only comparisons (eq, ne, gt, ge, lt, le) joined by and/or/not are supported.`); };
  const peekWord = (w: string) => tokens[i]?.t === 'word' && tokens[i]!.v.toLowerCase() === w;
  function primary(): Expr {
    if (peekWord('not')) { i++; return { kind: 'not', expr: primary() }; }
    if (tokens[i]?.t === 'lp') { i++; const e = or(); if (tokens[i]?.t !== 'rp') fail(); i++; return e; }
    const path = tokens[i];
    const op = tokens[i + 1];
    const lit = tokens[i + 2];
    if (path?.t !== 'word' || op?.t !== 'word' || !lit) fail();
    const opName = op!.v.toLowerCase();
    if (!['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(opName)) fail();
    let value: Literal;
    if (lit!.t === 'str') value = lit!.v;
    else if (lit!.t === 'num') value = Number(lit!.v);
    else if (lit!.t === 'word' && ['true', 'false', 'null'].includes(lit!.v)) value = lit!.v === 'null' ? null : lit!.v === 'true';
    else return fail();
    i += 3;
    return { kind: 'cmp', path: path!.v.split('/'), op: opName as 'eq', value };
  }
  function and(): Expr {
    let left = primary();
    while (peekWord('and')) { i++; left = { kind: 'and', left, right: primary() }; }
    return left;
  }
  function or(): Expr {
    let left = and();
    while (peekWord('or')) { i++; left = { kind: 'or', left, right: and() }; }
    return left;
  }
  const expr = or();
  if (i !== tokens.length) fail();
  return expr;
}

function valueAt(item: unknown, path: string[]): unknown {
  let v: unknown = item;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

function compare(a: unknown, op: string, b: Literal): boolean {
  // String comparisons ignore case, as Graph's do for enum and id values.
  const x = typeof a === 'string' ? a.toLowerCase() : a;
  const y = typeof b === 'string' ? b.toLowerCase() : b;
  switch (op) {
    case 'eq': return (x ?? null) === y;
    case 'ne': return (x ?? null) !== y;
    case 'gt': return x !== null && y !== null && (x as number) > (y as number);
    case 'ge': return x !== null && y !== null && (x as number) >= (y as number);
    case 'lt': return x !== null && y !== null && (x as number) < (y as number);
    default: return x !== null && y !== null && (x as number) <= (y as number);
  }
}

export function matches(expr: Expr, item: unknown): boolean {
  switch (expr.kind) {
    case 'cmp': return compare(valueAt(item, expr.path), expr.op, expr.value);
    case 'and': return matches(expr.left, item) && matches(expr.right, item);
    case 'or': return matches(expr.left, item) || matches(expr.right, item);
    default: return !matches(expr.expr, item);
  }
}

export function applyFilter<T>(items: T[], query: Record<string, unknown>): T[] {
  const filter = queryOption(query, 'filter');
  if (!filter) return items;
  const expr = parseFilter(filter);
  return items.filter((item) => matches(expr, item));
}

/** `filterByCurrentUser(on='approver')` as the last path segment, however the client encoded it. */
export function parseFunctionCall(segment: string, name: string): Record<string, string> | null {
  const m = new RegExp(`^${name}\\((.*)\\)$`).exec(segment);
  if (!m) return null;
  const args: Record<string, string> = {};
  for (const part of m[1]!.split(',').map((p) => p.trim()).filter(Boolean)) {
    const kv = /^(\w+)\s*=\s*'((?:[^']|'')*)'$/.exec(part);
    if (!kv) throw new ApiError('BAD_REQUEST', `Invalid function parameters in '${segment}'.`);
    args[kv[1]!] = kv[2]!.replace(/''/g, "'");
  }
  return args;
}

export interface CollectionBody {
  '@odata.context': string;
  '@odata.nextLink'?: string;
  value: unknown[];
}

export function collection(context: string, value: unknown[], next: string | null): CollectionBody {
  return { '@odata.context': context, value, ...(next ? { '@odata.nextLink': next } : {}) };
}
