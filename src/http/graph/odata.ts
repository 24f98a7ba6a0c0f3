import { randomBytes, timingSafeEqual } from 'node:crypto';
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
   * Navigation properties Graph documents for the type, which `$expand` may name, and the type
   * served there. Null where Signoff does not model the target: options nested in its parentheses
   * are read but not checked, and the item carries what Signoff has of it (a reference such as
   * `{ "@odata.type", id, displayName }`) or, for a relationship Signoff keeps no data for
   * (`activatedUsing`), nothing: expanding it is accepted and omitted.
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
  /** Each expanded navigation property with the options nested in its parentheses (null: a target Signoff does not model). */
  readonly expand: ReadonlyMap<string, ODataQuery | null>;
  /** `$count=true`: `@odata.count` is served where Signoff knows the total (see `collection`). */
  readonly count: boolean;
}

const SUPPORTED = ['select', 'filter', 'expand', 'top', 'skiptoken', 'count', 'format', 'orderby'] as const;
/** Understood, and refused with a reason rather than ignored: ignoring one would answer another question. */
const REFUSED = ['skip', 'search'] as const;
/** What OData lets a client nest in an `$expand` item's parentheses. */
const NESTED = ['select', 'filter', 'expand', 'top', 'skip', 'count', 'orderby', 'search', 'levels'];

/** A query option's name as Graph compares it: in any letter case, and (beta) without its `$`. */
function optionName(key: string): string {
  return (key.startsWith('$') ? key.slice(1) : key).toLowerCase();
}

/**
 * The value of the system query option `name` (lower case, no `$`) however the client spelled it
 * (`$top`, `$TOP`, `top`), or undefined. Every reader of an option goes through here, so what the
 * checks accept is what the readers read. `bare: false` reads only `$`-prefixed spellings (ARM).
 */
export function queryOption(query: Readonly<Record<string, unknown>>, name: string, { bare = true } = {}): string | undefined {
  let found: string | undefined;
  for (const [key, value] of Object.entries(query)) {
    if ((!bare && !key.startsWith('$')) || optionName(key) !== name) continue;
    if (found !== undefined || typeof value !== 'string') throw new ApiError('BAD_REQUEST', `Query option '$${name}' was given more than once.`);
    found = value;
  }
  return found;
}

/**
 * The system query options in `query` by lower-case name without the `$`. Graph's beta also reads
 * them without the `$`; any other name without one is a custom query option, not Graph's to check.
 */
function systemOptions(query: Readonly<Record<string, unknown>>): Map<string, string> {
  const options = new Map<string, string>();
  for (const key of Object.keys(query)) {
    const name = optionName(key);
    const known = (SUPPORTED as readonly string[]).includes(name) || (REFUSED as readonly string[]).includes(name);
    if (!key.startsWith('$') && !known) continue;
    if (!known) throw new ApiError('BAD_REQUEST', `The query option '${key}' is not supported.`);
    options.set(name, queryOption(query, name)!);
  }
  return options;
}

/** `$top` as a page size, at most `max` (ARM's pages hold more than Graph's), or null when absent. */
export function parseTop(top: string | undefined, max = MAX_PAGE_SIZE): number | null {
  if (top === undefined) return null;
  if (!/^\d+$/.test(top) || Number(top) < 1) throw new ApiError('BAD_REQUEST', `Invalid value '${top}' for $top: a positive integer is expected.`);
  // Graph's paging guide lets a service serve fewer than asked; Signoff serves at most a page of 999.
  return Math.min(Number(top), max);
}

/** OData's boolean literals, in any letter case (its ABNF makes them case-insensitive). */
function parseBoolean(option: string, value: string): boolean {
  const lower = value.toLowerCase();
  if (lower !== 'true' && lower !== 'false') throw new ApiError('BAD_REQUEST', `Invalid value '${value}' for $${option}: 'true' or 'false' is expected.`);
  return lower === 'true';
}

/** `$format`: Signoff answers JSON only, which `json` and `application/json` (with parameters) ask for. */
function checkFormat(value: string): void {
  const [media = ''] = value.split(';');
  if (!['json', 'application/json'].includes(media.trim().toLowerCase())) {
    throw new ApiError('BAD_REQUEST', `Invalid value '${value}' for $format: Signoff answers 'json' (application/json) only.`);
  }
}

/** `id desc` as `{ property, descending }`, its property spelled as served. */
function orderItems(value: string, type: EntityType): { property: string; descending: boolean }[] {
  return splitOutside(value, ',').map((item) => {
    const m = /^\s*(\S+?)(?:\s+(asc|desc))?\s*$/i.exec(item);
    if (!m) throw new ApiError('BAD_REQUEST', `Invalid $orderby '${value}'.`);
    const [first, ...rest] = m[1]!.split('/');
    return { property: [propertyOf(type, first!), ...rest].join('/'), descending: m[2]?.toLowerCase() === 'desc' };
  });
}

/**
 * `$orderby`: Signoff serves each list in one fixed order (`order`, as the route reads its store),
 * so it accepts an `$orderby` that asks for that order, or for its leading keys, and refuses any
 * other rather than answer in an order the client did not ask for.
 */
function checkOrder(value: string, type: EntityType, order: readonly string[]): void {
  const asked = orderItems(value, type);
  const served = order.length > 0 ? orderItems(order.join(','), type) : [];
  const same = asked.length <= served.length && asked.every((a, i) => a.property === served[i]!.property && a.descending === served[i]!.descending);
  if (same) return;
  const fixed = order.length > 0 ? `; it serves this list by '${order.join(', ')}' only` : '';
  throw new ApiError('BAD_REQUEST', `$orderby '${value}' is not supported on '${type.name}'${fixed}.`);
}

/** `$skip` and `$search`: a malformed value is named first, then the option is refused. */
function checkUnsupported(name: (typeof REFUSED)[number], value: string, type: EntityType): void {
  if (name === 'skip') {
    if (!/^\d+$/.test(value)) throw new ApiError('BAD_REQUEST', `Invalid value '${value}' for $skip: a non-negative integer is expected.`);
    throw new ApiError('BAD_REQUEST', '$skip is not supported; follow @odata.nextLink, which carries a $skiptoken, for the next page.');
  }
  throw new ApiError('BAD_REQUEST', `$search is not supported on '${type.name}'; use $filter.`);
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
      // Options nested on a target Signoff does not model are well-formed (checked above) but not checkable.
      expanded.set(name, target ? readQuery(nested, target, [], true) : null);
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
    if (at < 0 || !NESTED.includes(optionName(name))) {
      throw new ApiError('BAD_REQUEST', `Only ${NESTED.map((o) => `$${o}`).join(', ')} may be nested in $expand, not '${part.trim()}'.`);
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

function readQuery(query: Readonly<Record<string, unknown>>, type: EntityType, order: readonly string[], nested = false): ODataQuery {
  const options = systemOptions(query);
  for (const name of REFUSED) {
    const value = options.get(name);
    if (value !== undefined) checkUnsupported(name, value, type);
  }
  const format = options.get('format');
  if (format !== undefined) checkFormat(format);
  const orderby = options.get('orderby');
  if (orderby !== undefined) checkOrder(orderby, type, order);
  const count = options.get('count');
  const select = options.get('select');
  const filter = options.get('filter');
  const expand = options.get('expand');
  return {
    type,
    // Nested in an $expand, $top caps the expanded collection (see `present`).
    top: parseTop(options.get('top')),
    select: select ? readSelect(select, type) : null,
    filter: filter ? readFilter(filter, type) : null,
    expand: expand ? readExpand(expand, type) : new Map(),
    count: count !== undefined && parseBoolean('count', count) && !nested,
  };
}

/**
 * The request's system query options, checked against `type`: anything Graph would refuse answers
 * 400. `order` is the order the route serves its list in (`['createdDateTime desc', 'id desc']`),
 * which `$orderby` may ask for; without it, any `$orderby` is refused.
 */
export function odataQuery(request: FastifyRequest, type: EntityType, order: readonly string[] = []): ODataQuery {
  return readQuery(request.query as Record<string, unknown>, type, order);
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
    out[key] = !expanded ? value
      : Array.isArray(value) ? served(value.filter(isRecord), expanded).slice(0, expanded.top ?? undefined)
        : isRecord(value) ? present(value, expanded) : value;
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
  return parseTop(queryOption(query, 'top')) ?? DEFAULT_PAGE_SIZE;
}

function pageSizeOf(q: ODataQuery): number {
  return q.top ?? DEFAULT_PAGE_SIZE;
}

/** `$skiptoken` is opaque to clients: base64url JSON of the keyset position. */
export function encodeSkipToken(position: object): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The keyset position in the request's `$skiptoken` (any spelling), null on a first page; 400 when it is not one. */
export function decodeSkipToken<T>(query: Readonly<Record<string, unknown>>, check: (v: unknown) => v is T, options: { bare?: boolean } = {}): T | null {
  const token = queryOption(query, 'skiptoken', options);
  if (token === undefined) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (check(value)) return value;
  } catch { /* reported below */ }
  throw new ApiError('BAD_REQUEST', 'The $skiptoken is invalid; use @odata.nextLink as given.');
}

/** Set on each request of a `$batch` to the batch's own origin, which the links in its answers name. */
export const BATCH_ORIGIN_HEADER = 'x-signoff-batch-origin';
/**
 * Known only to this process, and sent before the origin: a header of that name from the network
 * is ignored. A proxy or cache in front keys on the Host header, not on this one, so a client
 * able to set it could choose where the links in answers cached for others point.
 */
const BATCH_ORIGIN_SECRET = randomBytes(18).toString('base64url');

/** The value of BATCH_ORIGIN_HEADER on a batch's request: links in its answers name `origin`. */
export function batchOrigin(origin: string): string {
  return `${BATCH_ORIGIN_SECRET} ${origin}`;
}

function batchOriginOf(request: FastifyRequest): string | null {
  const value = request.headers[BATCH_ORIGIN_HEADER];
  if (typeof value !== 'string') return null;
  const [secret, origin] = value.split(' ');
  const sent = Buffer.from(secret ?? '');
  const known = Buffer.from(BATCH_ORIGIN_SECRET);
  if (sent.length !== known.length || !timingSafeEqual(sent, known)) return null;
  return origin !== undefined && /^https?:\/\/[^/\s]+$/.test(origin) ? origin : null;
}

/** The absolute URL this request was made to, as the client addressed it. */
export function requestBaseUrl(request: FastifyRequest): string {
  const fromBatch = batchOriginOf(request);
  if (fromBatch) return fromBatch;
  // The socket's scheme and the Host header, or, behind a proxy Signoff is told to trust
  // (SIGNOFF_TRUST_PROXY), the X-Forwarded-Proto and X-Forwarded-Host it sets.
  const host = request.host || `${request.socket.localAddress}:${request.socket.localPort}`;
  return `${request.protocol}://${host}`;
}

/** This request's URL with the option `name` (every spelling of it) replaced by `spelled=value`. */
export function withOption(request: FastifyRequest, name: string, spelled: string, value: string): string {
  const url = new URL(request.url, requestBaseUrl(request));
  for (const key of [...url.searchParams.keys()]) if (optionName(key) === name) url.searchParams.delete(key);
  url.searchParams.set(spelled, value);
  return url.toString();
}

export function nextLink(request: FastifyRequest, token: string): string {
  return withOption(request, 'skiptoken', '$skiptoken', token);
}

export interface CollectionBody {
  '@odata.context': string;
  '@odata.count'?: number;
  '@odata.nextLink'?: string;
  value: unknown[];
}

/** A collection; `count` is the total `$count=true` asks for, where Signoff knows it (first pages only, as Graph). */
export function collection(context: string, value: unknown[], next: string | null, count: number | null = null): CollectionBody {
  return { '@odata.context': context, ...(count !== null ? { '@odata.count': count } : {}), value, ...(next ? { '@odata.nextLink': next } : {}) };
}

/**
 * One page of a list the store pages by key: `$filter` applies to the page, `next` is where the
 * store stops. `@odata.count` is served when this page is the whole list (a first page with no
 * next); counting a longer list would cost a second query per page, so `$count=true` is then
 * accepted without one, as OData lets a service that cannot count cheaply.
 */
function storePage(request: FastifyRequest, context: string, items: readonly Record<string, unknown>[], q: ODataQuery, next: object | null | undefined): CollectionBody {
  const value = served(items, q);
  const whole = !next && queryOption(request.query as Record<string, unknown>, 'skiptoken') === undefined;
  return collection(context, value, next ? nextLink(request, encodeSkipToken(next)) : null, q.count && whole ? value.length : null);
}

/** How many stored items one request may look at to fill a `$filter`ed page of a keyset-paged list. */
export const FILTER_SCAN_BUDGET = 5000;
/**
 * The fewest items a `$filter`ed scan reads from the store at once. Read in pages of `$top`, a
 * `$top=1` with a filter that matches nothing would make one round trip (and one expansion) per
 * item looked at: thousands per request, twenty times that in a batch.
 */
const FILTER_READ_SIZE = DEFAULT_PAGE_SIZE;

export interface KeysetList<T, P extends object> {
  /** Where the client's `$skiptoken` says to go on from; null on a first page. */
  readonly start: P | null;
  /** Up to `limit` items after `after`, in the list's order, and where the store stops (null at the end). */
  readonly read: (after: P | null, limit: number) => Promise<{ items: readonly T[]; next: P | null | undefined }>;
  /** The keyset position just after `item`, as `read` takes it. */
  readonly positionOf: (item: T) => P;
  /** The items as Graph serves them (shaped and expanded), in the same order. */
  readonly serve: (items: readonly T[]) => Promise<Record<string, unknown>[]>;
}

/**
 * One page of a list the store pages by key, with `$filter` applied to the list rather than to a
 * store page: store pages are read until a page's worth matches or the list ends, so a selective
 * filter over a long history still answers full pages. The work per request is bounded: after
 * FILTER_SCAN_BUDGET items the page may be short (even empty), and `@odata.nextLink` goes on from
 * where the scan stopped, as Graph's server-driven paging allows.
 */
export async function keysetPage<T, P extends object>(request: FastifyRequest, context: string, q: ODataQuery, list: KeysetList<T, P>): Promise<CollectionBody> {
  const limit = pageSizeOf(q);
  if (!q.filter) {
    const page = await list.read(list.start, limit);
    return storePage(request, context, await list.serve(page.items), q, page.next);
  }
  const kept: Record<string, unknown>[] = [];
  let after = list.start;
  let scanned = 0;
  for (;;) {
    const page = await list.read(after, Math.max(limit, FILTER_READ_SIZE));
    scanned += page.items.length;
    const shaped = await list.serve(page.items);
    for (let i = 0; i < shaped.length; i++) {
      if (!matches(q.filter, shaped[i])) continue;
      kept.push(shaped[i]!);
      if (kept.length === limit) {
        const rest = i < shaped.length - 1 || Boolean(page.next);
        return storePage(request, context, kept, q, rest ? list.positionOf(page.items[i]!) : null);
      }
    }
    if (!page.next || scanned >= FILTER_SCAN_BUDGET) return storePage(request, context, kept, q, page.next);
    after = page.next;
  }
}

const isOffset = (v: unknown): v is { offset: number } => isRecord(v) && Number.isInteger(v.offset) && (v.offset as number) >= 0;

/**
 * A bounded list read whole: all of it, or pages of `$top` when the client asks for them, so every
 * collection honours `$top` and answers more with `@odata.nextLink`; `$count=true` counts what
 * `$filter` keeps.
 */
export function wholeList(request: FastifyRequest, context: string, items: readonly Record<string, unknown>[], q: ODataQuery): CollectionBody {
  const matching = q.filter ? items.filter((item) => matches(q.filter!, item)) : items;
  const offset = decodeSkipToken(request.query as Record<string, unknown>, isOffset)?.offset ?? 0;
  const end = q.top === null ? matching.length : offset + q.top;
  const page = matching.slice(offset, end).map((item) => present(item, q));
  return collection(context, page, end < matching.length ? nextLink(request, encodeSkipToken({ offset: end })) : null, q.count && offset === 0 ? matching.length : null);
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
