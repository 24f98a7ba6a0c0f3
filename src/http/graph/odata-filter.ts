import { ApiError } from '../api-error.js';

// The OData `$filter` subset Graph clients send to these APIs: comparisons (eq ne gt ge lt le) of a
// property path with a literal, `in` lists, startswith / endswith / contains, combined with
// and / or / not and parentheses. Literals: strings, numbers, true / false / null, GUIDs and
// DateTimeOffset values (`createdDateTime ge 2026-01-01T00:00:00Z`), unquoted as OData writes them.

/** A DateTimeOffset literal, compared by instant: served values carry milliseconds, literals often do not. */
interface DateTimeLiteral { readonly instant: number }
type Literal = string | number | boolean | null | DateTimeLiteral;
type Comparison = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
type StringFunction = 'startswith' | 'endswith' | 'contains';
export type FilterExpr =
  | { readonly kind: 'cmp'; readonly path: readonly string[]; readonly op: Comparison; readonly value: Literal }
  | { readonly kind: 'in'; readonly path: readonly string[]; readonly values: readonly Literal[] }
  | { readonly kind: 'fn'; readonly name: StringFunction; readonly path: readonly string[]; readonly value: string }
  | { readonly kind: 'and' | 'or'; readonly left: FilterExpr; readonly right: FilterExpr }
  | { readonly kind: 'not'; readonly expr: FilterExpr };

const COMPARISONS: readonly string[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];
const STRING_FUNCTIONS: readonly string[] = ['startswith', 'endswith', 'contains'];

type Token = { readonly t: 'lp' | 'rp' | 'comma' | 'str' | 'word' | 'num' | 'datetime' | 'guid'; readonly v: string };

// Alternatives in order: a DateTimeOffset and a GUID both begin like a number, so they come first.
const TOKEN = new RegExp([
  String.raw`(\()`, String.raw`(\))`, '(,)', `'((?:[^']|'')*)'`,
  String.raw`(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2}))(?![\w.:+-])`,
  '([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?![\\w-])',
  String.raw`([A-Za-z_][\w./]*)`, String.raw`(-?\d+(?:\.\d+)?)(?![\w.-])`,
].map((alternative) => `\\s*${alternative}`).join('|'), 'y');
const KINDS = ['lp', 'rp', 'comma', 'str', 'datetime', 'guid', 'word', 'num'] as const;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) throw new ApiError('BAD_REQUEST', `Invalid $filter near '${text.slice(pos, pos + 20)}'.`);
    const group = m.findIndex((g, i) => i > 0 && g !== undefined);
    const kind = KINDS[group - 1]!;
    out.push({ t: kind, v: kind === 'str' ? m[group]!.replace(/''/g, "'") : m[group]! });
    pos = TOKEN.lastIndex;
  }
  return out;
}

/** JavaScript reads February 30th as March 2nd and 24:00 as the next day; OData has neither. */
function onTheCalendar(dateTime: string): boolean {
  const [year, month, day, hour] = [dateTime.slice(0, 4), dateTime.slice(5, 7), dateTime.slice(8, 10), dateTime.slice(11, 13)].map(Number) as [number, number, number, number];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day >= 1 && day <= days && hour < 24;
}

export function parseFilter(text: string): FilterExpr {
  if (text.length > 2000) throw new ApiError('BAD_REQUEST', '$filter is too long.');
  const tokens = tokenize(text);
  let i = 0;
  const fail = (): never => {
    throw new ApiError('BAD_REQUEST', `Invalid $filter '${text}': only comparisons (eq, ne, gt, ge, lt, le), 'in' lists and startswith, endswith and contains, joined by and/or/not, are supported.`);
  };
  const peek = (t: Token['t']) => tokens[i]?.t === t;
  const peekWord = (w: string) => tokens[i]?.t === 'word' && tokens[i]!.v.toLowerCase() === w;
  const expect = (t: Token['t']): Token => (peek(t) ? tokens[i++]! : fail());

  function literal(): Literal {
    const lit = tokens[i++];
    if (!lit) return fail();
    switch (lit.t) {
      case 'str': case 'guid': return lit.v;
      case 'num': return Number(lit.v);
      case 'datetime': {
        const instant = Date.parse(lit.v);
        if (Number.isNaN(instant) || !onTheCalendar(lit.v)) throw new ApiError('BAD_REQUEST', `Invalid DateTimeOffset '${lit.v}' in $filter.`);
        return { instant };
      }
      case 'word':
        if (lit.v === 'true' || lit.v === 'false') return lit.v === 'true';
        if (lit.v === 'null') return null;
        return fail();
      default: return fail();
    }
  }
  function path(): readonly string[] {
    return expect('word').v.split('/');
  }
  function stringCall(name: StringFunction): FilterExpr {
    expect('lp');
    const of = path();
    expect('comma');
    const value = literal();
    expect('rp');
    if (typeof value !== 'string') throw new ApiError('BAD_REQUEST', `${name} in $filter compares with a string literal.`);
    return { kind: 'fn', name, path: of, value };
  }
  function primary(): FilterExpr {
    if (peekWord('not')) { i++; return { kind: 'not', expr: primary() }; }
    if (peek('lp')) { i++; const e = or(); expect('rp'); return e; }
    const head = tokens[i]?.v.toLowerCase() ?? '';
    if (STRING_FUNCTIONS.includes(head) && tokens[i + 1]?.t === 'lp') { i++; return stringCall(head as StringFunction); }
    const of = path();
    if (peekWord('in')) {
      i++;
      expect('lp');
      const values = [literal()];
      while (peek('comma')) { i++; values.push(literal()); }
      expect('rp');
      return { kind: 'in', path: of, values };
    }
    const op = expect('word').v.toLowerCase();
    if (!COMPARISONS.includes(op)) fail();
    return { kind: 'cmp', path: of, op: op as Comparison, value: literal() };
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
    case 'cmp': case 'in': case 'fn': return { ...expr, path: resolve(expr.path) };
    case 'and': case 'or': return { ...expr, left: mapPaths(expr.left, resolve), right: mapPaths(expr.right, resolve) };
    default: return { kind: 'not', expr: mapPaths(expr.expr, resolve) };
  }
}

function sameLiteral(a: Literal, b: Literal): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (isDateTime(a) && isDateTime(b)) return a.instant === b.instant;
  return a === b;
}

/**
 * The values `expr` lets `property` take where its top-level `and` conjuncts compare it with `eq`
 * or `in`; undefined where they do not bound it. A store may narrow its read to these values (with
 * an index) before the filter itself is applied to what it reads.
 */
export function valuesAllowed(expr: FilterExpr | null, property: string): readonly Literal[] | undefined {
  if (!expr) return undefined;
  switch (expr.kind) {
    case 'cmp': return expr.op === 'eq' && expr.path.length === 1 && expr.path[0] === property ? [expr.value] : undefined;
    case 'in': return expr.path.length === 1 && expr.path[0] === property ? expr.values : undefined;
    case 'and': {
      const left = valuesAllowed(expr.left, property);
      const right = valuesAllowed(expr.right, property);
      if (!left || !right) return left ?? right;
      return left.filter((v) => right.some((w) => sameLiteral(v, w)));
    }
    default: return undefined;
  }
}

function valueAt(item: unknown, path: readonly string[]): unknown {
  let v: unknown = item;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

function isDateTime(b: Literal): b is DateTimeLiteral {
  return typeof b === 'object' && b !== null;
}

function compare(a: unknown, op: Comparison, b: Literal): boolean {
  if (isDateTime(b)) {
    const instant = typeof a === 'string' ? Date.parse(a) : Number.NaN;
    return Number.isNaN(instant) ? op === 'ne' : ordered(instant, op, b.instant);
  }
  // String comparisons ignore case, as Graph's do for enum and id values.
  const x = typeof a === 'string' ? a.toLowerCase() : (a ?? null);
  const y = typeof b === 'string' ? b.toLowerCase() : b;
  if (op === 'eq') return x === y;
  if (op === 'ne') return x !== y;
  return x !== null && y !== null && typeof x === typeof y && ordered(x as number | string, op, y as number | string);
}

function ordered<T extends number | string>(x: T, op: Comparison, y: T): boolean {
  switch (op) {
    case 'eq': return x === y;
    case 'ne': return x !== y;
    case 'gt': return x > y;
    case 'ge': return x >= y;
    case 'lt': return x < y;
    default: return x <= y;
  }
}

function stringMatches(name: StringFunction, a: unknown, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return name === 'startswith' ? x.startsWith(y) : name === 'endswith' ? x.endsWith(y) : x.includes(y);
}

export function matches(expr: FilterExpr, item: unknown): boolean {
  switch (expr.kind) {
    case 'cmp': return compare(valueAt(item, expr.path), expr.op, expr.value);
    case 'in': { const v = valueAt(item, expr.path); return expr.values.some((value) => compare(v, 'eq', value)); }
    case 'fn': return stringMatches(expr.name, valueAt(item, expr.path), expr.value);
    case 'and': return matches(expr.left, item) && matches(expr.right, item);
    case 'or': return matches(expr.left, item) || matches(expr.right, item);
    default: return !matches(expr.expr, item);
  }
}
