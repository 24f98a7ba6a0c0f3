import type { FastifyRequest } from 'fastify';
import type Type from 'typebox';
import { ApiError } from '../api-error.js';
import { type FilterExpr, mapPaths, matches, parseFilter } from './odata-filter.js';

export const MAX_PAGE_SIZE = 999;
export const DEFAULT_PAGE_SIZE = 100;

// ---- entity types -----------------------------------------------------------------------------

/** Instance annotations (`@odata.type`, `@signoff.approvers`) beside an entity's properties. */
export type Annotations = { readonly [annotation: `@${string}`]: unknown };

/**
 * One Graph type as Signoff serves it. Its properties are its schema's, and a shape function
 * returns `Served<…>` of it, so what the query options may name is what the shape writes.
 */
export interface EntityType<S extends Type.TObject = Type.TObject> {
  /** Graph's qualified name, as its errors name a type: `microsoft.graph.approvalStep`. */
  readonly name: string;
  readonly schema: S;
  /**
   * Navigation properties `$expand` may name, and the type served there; null for a reference
   * Signoff serves as `{ id }` only, which nested query options cannot reach into.
   */
  readonly navigation: Readonly<Record<string, EntityType | null>>;
  /** Navigation properties served whether `$expand`ed or not (an approval's steps, as Graph shows them). */
  readonly inline: readonly string[];
}

export type Served<E extends EntityType> = Type.Static<E['schema']> & Annotations;

/** Some of a type's properties, for the parts a shape shares between versions or types. */
export type ServedFields<P extends Type.TProperties> = Type.Static<Type.TObject<P>> & Annotations;

export function entityType<S extends Type.TObject>(
  name: string, schema: S, navigation: Readonly<Record<string, EntityType | null>> = {}, inline: readonly string[] = [],
): EntityType<S> {
  return { name, schema, navigation, inline };
}

/** The property of `type` a client named, spelled as served (Graph matches names case-insensitively). */
function propertyOf(type: EntityType, name: string): string {
  const lower = name.toLowerCase();
  const found = [...Object.keys(type.schema.properties), ...Object.keys(type.navigation)].find((p) => p.toLowerCase() === lower);
  if (!found) throw new ApiError('BAD_REQUEST', `Could not find a property named '${name}' on type '${type.name}'.`);
  return found;
}

// ---- reading the system query options ---------------------------------------------------------

/** The system query options of one read, checked against the type it reads. */
export interface ODataQuery {
  readonly type: EntityType;
  /** The page size the client asked for (capped at MAX_PAGE_SIZE), or null. */
  readonly top: number | null;
  readonly select: readonly string[] | null;
  readonly filter: FilterExpr | null;
  /** Each expanded navigation property with the options nested in its parentheses (null: a reference). */
  readonly expand: ReadonlyMap<string, ODataQuery | null>;
}

const SUPPORTED = ['select', 'filter', 'expand', 'top', 'skiptoken'] as const;
/** Understood, and refused with a reason rather than ignored: ignoring one would answer another question. */
const REFUSED = ['orderby', 'skip', 'count', 'search'] as const;
const NESTED = ['select', 'filter', 'expand'];

/**
 * The system query options in `query` by lower-case name without the `$`. Graph's beta also reads
 * them without the `$`; any other name without one is a custom query option, not Graph's to check.
 */
function systemOptions(query: Readonly<Record<string, unknown>>): Map<string, string> {
  const options = new Map<string, string>();
  for (const [key, value] of Object.entries(query)) {
    const name = key.startsWith('$') ? key.slice(1).toLowerCase() : key.toLowerCase();
    const known = (SUPPORTED as readonly string[]).includes(name) || (REFUSED as readonly string[]).includes(name);
    if (!key.startsWith('$') && !known) continue;
    if (!known) throw new ApiError('BAD_REQUEST', `The query option '${key}' is not supported.`);
    if (options.has(name) || typeof value !== 'string') throw new ApiError('BAD_REQUEST', `Query option '$${name}' was given more than once.`);
    options.set(name, value);
  }
  return options;
}

export function parseTop(top: string | undefined): number | null {
  if (top === undefined) return null;
  if (!/^\d+$/.test(top) || Number(top) < 1) throw new ApiError('BAD_REQUEST', `Invalid value '${top}' for $top: a positive integer is expected.`);
  // Graph's paging guide lets a service serve fewer than asked; Signoff serves at most a page of 999.
  return Math.min(Number(top), MAX_PAGE_SIZE);
}

/**
 * `$orderby`, `$skip`, `$count=true` and `$search`: a malformed value or an unknown property is
 * named first, then the option is refused. `$count=false` is the default and asks nothing.
 */
function checkUnsupported(name: (typeof REFUSED)[number], value: string, type: EntityType): void {
  switch (name) {
    case 'orderby':
      for (const item of splitOutside(value, ',')) {
        const [path = ''] = item.trim().split(/\s+/);
        propertyOf(type, path.split('/')[0]!);
      }
      throw new ApiError('BAD_REQUEST', `$orderby is not supported on '${type.name}'; Signoff serves each collection in one fixed order.`);
    case 'skip':
      if (!/^\d+$/.test(value)) throw new ApiError('BAD_REQUEST', `Invalid value '${value}' for $skip: a non-negative integer is expected.`);
      throw new ApiError('BAD_REQUEST', '$skip is not supported; follow @odata.nextLink, which carries a $skiptoken, for the next page.');
    case 'count':
      if (!/^(true|false)$/.test(value)) throw new ApiError('BAD_REQUEST', `Invalid value '${value}' for $count: 'true' or 'false' is expected.`);
      if (value === 'false') return;
      throw new ApiError('BAD_REQUEST', `$count is not supported on '${type.name}'.`);
    default:
      throw new ApiError('BAD_REQUEST', `$search is not supported on '${type.name}'; use $filter.`);
  }
}

function readSelect(value: string, type: EntityType): readonly string[] | null {
  const fields = value.split(',').map((f) => f.trim());
  if (fields.includes('*')) return null;
  if (fields.some((f) => f === '')) throw new ApiError('BAD_REQUEST', `Invalid $select '${value}'.`);
  return fields.map((f) => propertyOf(type, f));
}

function readFilter(value: string, type: EntityType): FilterExpr {
  // Nested paths (`accessPackage/id`) are checked at their first segment: the types below are not modelled.
  return mapPaths(parseFilter(value), ([first, ...rest]) => [propertyOf(type, first!), ...rest]);
}

function readExpand(value: string, type: EntityType): Map<string, ODataQuery | null> {
  const expanded = new Map<string, ODataQuery | null>();
  for (const item of splitOutside(value, ',')) {
    const m = /^\s*([^()\s]+)\s*(?:\((.*)\))?\s*$/s.exec(item);
    if (!m) throw new ApiError('BAD_REQUEST', `Invalid $expand '${value}'.`);
    const names = m[1] === '*' ? Object.keys(type.navigation) : [propertyOf(type, m[1]!)];
    for (const name of names) {
      if (!Object.hasOwn(type.navigation, name)) {
        throw new ApiError('BAD_REQUEST', `Property '${name}' on type '${type.name}' is not a navigation property; only navigation properties can be expanded.`);
      }
      const target = type.navigation[name]!;
      const nested = m[2]?.trim() ? nestedOptions(m[2]) : {};
      if (!target && Object.keys(nested).length > 0) throw new ApiError('BAD_REQUEST', `Signoff serves '${name}' as a reference; query options inside $expand=${name}(...) are not supported.`);
      expanded.set(name, target ? readQuery(nested, target, true) : null);
    }
  }
  return expanded;
}

/** `$select=id;$expand=rules` inside an `$expand` item's parentheses. */
function nestedOptions(text: string): Record<string, string> {
  const options: Record<string, string> = {};
  for (const part of splitOutside(text, ';')) {
    const at = part.indexOf('=');
    const name = part.slice(0, at).trim();
    if (at < 0 || !NESTED.includes(name.replace(/^\$/, '').toLowerCase())) {
      throw new ApiError('BAD_REQUEST', `Only $select, $filter and $expand may be nested in $expand, not '${part.trim()}'.`);
    }
    options[name.startsWith('$') ? name : `$${name}`] = part.slice(at + 1);
  }
  return options;
}

/** `text` split at `separator` where it is outside parentheses and quoted strings. */
function splitOutside(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of text) {
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    if (!quoted && depth === 0 && ch === separator) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  return [...parts, current];
}

function readQuery(query: Readonly<Record<string, unknown>>, type: EntityType, nested = false): ODataQuery {
  const options = systemOptions(query);
  for (const name of REFUSED) {
    const value = options.get(name);
    if (value !== undefined) checkUnsupported(name, value, type);
  }
  const select = options.get('select');
  const filter = options.get('filter');
  const expand = options.get('expand');
  return {
    type,
    top: nested ? null : parseTop(options.get('top')),
    select: select ? readSelect(select, type) : null,
    filter: filter ? readFilter(filter, type) : null,
    expand: expand ? readExpand(expand, type) : new Map(),
  };
}

/** The request's system query options, checked against `type`: anything Graph would refuse answers 400. */
export function odataQuery(request: FastifyRequest, type: EntityType): ODataQuery {
  return readQuery(request.query as Record<string, unknown>, type);
}

// ---- serving ----------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One item as asked: navigation properties only when `$expand`ed (shapes carry them so `$filter`
 * can reach them), and with `$select` only the fields named, `id`, `@odata.` annotations and what
 * was expanded.
 */
function present(item: Record<string, unknown>, q: ODataQuery): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) {
    const expanded = q.expand.get(key);
    if (Object.hasOwn(q.type.navigation, key) && !q.type.inline.includes(key) && expanded === undefined) continue;
    if (q.select && expanded === undefined && key !== 'id' && !key.startsWith('@odata.') && !q.select.includes(key)) continue;
    out[key] = !expanded ? value : Array.isArray(value) ? served(value.filter(isRecord), expanded) : isRecord(value) ? present(value, expanded) : value;
  }
  return out;
}

/** The items `$filter` keeps, as `$select` and `$expand` ask. */
export function served(items: readonly Record<string, unknown>[], q: ODataQuery): Record<string, unknown>[] {
  return items.filter((item) => !q.filter || matches(q.filter, item)).map((item) => present(item, q));
}

/** A single entity (its `@odata.context` included) as `$select` and `$expand` ask. */
export function servedEntity(item: Record<string, unknown>, q: ODataQuery): Record<string, unknown> {
  return present(item, q);
}

// ---- paging -----------------------------------------------------------------------------------

/** `$top` as a page size for lists the store pages; Signoff's own API pages with the same rule. */
export function pageSize(query: Readonly<Record<string, unknown>>): number {
  const top = query.$top ?? query.top;
  if (Array.isArray(top)) throw new ApiError('BAD_REQUEST', "Query option '$top' was given more than once.");
  return parseTop(typeof top === 'string' ? top : undefined) ?? DEFAULT_PAGE_SIZE;
}

export function pageSizeOf(q: ODataQuery): number {
  return q.top ?? DEFAULT_PAGE_SIZE;
}

/** `$skiptoken` is opaque to clients: base64url JSON of the keyset position. */
export function encodeSkipToken(position: object): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeSkipToken<T>(query: Readonly<Record<string, unknown>>, check: (v: unknown) => v is T): T | null {
  const token = query.$skiptoken ?? query.skiptoken;
  if (token === undefined) return null;
  try {
    if (typeof token !== 'string') throw new Error('given twice');
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

export interface CollectionBody {
  '@odata.context': string;
  '@odata.nextLink'?: string;
  value: unknown[];
}

export function collection(context: string, value: unknown[], next: string | null): CollectionBody {
  return { '@odata.context': context, value, ...(next ? { '@odata.nextLink': next } : {}) };
}

/** One page of a list the store pages by key: `$filter` applies to the page, `next` is where the store stops. */
export function storePage(request: FastifyRequest, context: string, items: readonly Record<string, unknown>[], q: ODataQuery, next: object | null | undefined): CollectionBody {
  return collection(context, served(items, q), next ? nextLink(request, encodeSkipToken(next)) : null);
}

const isOffset = (v: unknown): v is { offset: number } => isRecord(v) && Number.isInteger(v.offset) && (v.offset as number) >= 0;

/**
 * A bounded list read whole: all of it, or pages of `$top` when the client asks for them, so every
 * collection honours `$top` and answers more with `@odata.nextLink`.
 */
export function wholeList(request: FastifyRequest, context: string, items: readonly Record<string, unknown>[], q: ODataQuery): CollectionBody {
  const matching = q.filter ? items.filter((item) => matches(q.filter!, item)) : items;
  const offset = decodeSkipToken(request.query as Record<string, unknown>, isOffset)?.offset ?? 0;
  const end = q.top === null ? matching.length : offset + q.top;
  const page = matching.slice(offset, end).map((item) => present(item, q));
  return collection(context, page, end < matching.length ? nextLink(request, encodeSkipToken({ offset: end })) : null);
}

// ---- functions --------------------------------------------------------------------------------

/**
 * `filterByCurrentUser(on='approver')` as the last path segment, however the client encoded it;
 * null when the segment is no call of `name`. Parameters other than `parameters` answer 400.
 */
export function parseFunctionCall(segment: string, name: string, parameters: readonly string[]): Record<string, string> | null {
  const m = new RegExp(`^${name}\\((.*)\\)$`).exec(segment);
  if (!m) return null;
  const args: Record<string, string> = {};
  for (const part of m[1]!.split(',').map((p) => p.trim()).filter(Boolean)) {
    const kv = /^(\w+)\s*=\s*'((?:[^']|'')*)'$/.exec(part);
    if (!kv) throw new ApiError('BAD_REQUEST', `Invalid function parameters in '${segment}'.`);
    const [, key, value] = kv as unknown as [string, string, string];
    if (!parameters.includes(key)) throw new ApiError('BAD_REQUEST', `The function '${name}' has no parameter named '${key}'; it takes ${parameters.map((p) => `'${p}'`).join(', ')}.`);
    if (Object.hasOwn(args, key)) throw new ApiError('BAD_REQUEST', `The parameter '${key}' of '${name}' was given more than once.`);
    args[key] = value.replace(/''/g, "'");
  }
  return args;
}
