import { ApiError } from '../api-error.js';

// A small OData `$filter` subset: comparisons (eq ne gt ge lt le) of a property path with a literal,
// combined with and / or / not and parentheses. Enough for Graph's documented filters here.

type Literal = string | number | boolean | null;
type Comparison = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterExpr =
  | { readonly kind: 'cmp'; readonly path: readonly string[]; readonly op: Comparison; readonly value: Literal }
  | { readonly kind: 'and' | 'or'; readonly left: FilterExpr; readonly right: FilterExpr }
  | { readonly kind: 'not'; readonly expr: FilterExpr };

const COMPARISONS: readonly string[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];

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

export function parseFilter(text: string): FilterExpr {
  if (text.length > 2000) throw new ApiError('BAD_REQUEST', '$filter is too long.');
  const tokens = tokenize(text);
  let i = 0;
  const fail = (): never => { throw new ApiError('BAD_REQUEST', `Invalid $filter '${text}': only comparisons (eq, ne, gt, ge, lt, le) joined by and/or/not are supported.`); };
  const peekWord = (w: string) => tokens[i]?.t === 'word' && tokens[i]!.v.toLowerCase() === w;
  function primary(): FilterExpr {
    if (peekWord('not')) { i++; return { kind: 'not', expr: primary() }; }
    if (tokens[i]?.t === 'lp') { i++; const e = or(); if (tokens[i]?.t !== 'rp') fail(); i++; return e; }
    const path = tokens[i];
    const op = tokens[i + 1];
    const lit = tokens[i + 2];
    if (path?.t !== 'word' || op?.t !== 'word' || !lit) fail();
    const opName = op!.v.toLowerCase();
    if (!COMPARISONS.includes(opName)) fail();
    let value: Literal;
    if (lit!.t === 'str') value = lit!.v;
    else if (lit!.t === 'num') value = Number(lit!.v);
    else if (lit!.t === 'word' && ['true', 'false', 'null'].includes(lit!.v)) value = lit!.v === 'null' ? null : lit!.v === 'true';
    else return fail();
    i += 3;
    return { kind: 'cmp', path: path!.v.split('/'), op: opName as Comparison, value };
  }
  function and(): FilterExpr {
    let left = primary();
    while (peekWord('and')) { i++; left = { kind: 'and', left, right: primary() }; }
    return left;
  }
  function or(): FilterExpr {
    let left = and();
    while (peekWord('or')) { i++; left = { kind: 'or', left, right: and() }; }
    return left;
  }
  const expr = or();
  if (i !== tokens.length) fail();
  return expr;
}

/** The same expression with every property path passed through `resolve` (which may refuse one). */
export function mapPaths(expr: FilterExpr, resolve: (path: readonly string[]) => readonly string[]): FilterExpr {
  switch (expr.kind) {
    case 'cmp': return { ...expr, path: resolve(expr.path) };
    case 'and': case 'or': return { ...expr, left: mapPaths(expr.left, resolve), right: mapPaths(expr.right, resolve) };
    default: return { kind: 'not', expr: mapPaths(expr.expr, resolve) };
  }
}

function valueAt(item: unknown, path: readonly string[]): unknown {
  let v: unknown = item;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

function compare(a: unknown, op: Comparison, b: Literal): boolean {
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

export function matches(expr: FilterExpr, item: unknown): boolean {
  switch (expr.kind) {
    case 'cmp': return compare(valueAt(item, expr.path), expr.op, expr.value);
    case 'and': return matches(expr.left, item) && matches(expr.right, item);
    case 'or': return matches(expr.left, item) || matches(expr.right, item);
    default: return !matches(expr.expr, item);
  }
}
