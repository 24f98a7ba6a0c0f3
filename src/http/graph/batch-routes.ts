import type { FastifyInstance, FastifyRequest, InjectOptions } from 'fastify';
import Type from 'typebox';
import { ApiError } from '../api-error.js';
import type { GraphDeps } from './graph-context.js';
import { graphErrorBody } from './graph-errors.js';
import { BATCH_ORIGIN_HEADER, batchOrigin, requestBaseUrl } from './odata.js';

// Graph's JSON batching (`POST /$batch`): up to 20 requests in one round trip, answered together.
// Each runs as if sent on its own, with the batch's token: same routes, checks, errors and audit.

export const MAX_BATCH_REQUESTS = 20;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** Headers a batch item may not set: the batch's own token and framing apply to every item. */
const REFUSED_HEADERS = new Set(['authorization', 'host', 'content-length', 'transfer-encoding', 'connection', BATCH_ORIGIN_HEADER]);
/** The headers of an item's answer a client acts on, spelled as Graph's batches spell them (Microsoft's Graph client reads `Content-Type` so). */
const ANSWERED_HEADERS = ['Content-Type', 'Location', 'Retry-After', 'Allow'];
const BASE = 'http://signoff.invalid';

const BatchItem = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100 }),
  method: Type.String({ minLength: 1, maxLength: 10 }),
  url: Type.String({ minLength: 1, maxLength: 8000 }),
  headers: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), Type.String({ maxLength: 8000 }))),
  body: Type.Optional(Type.Unknown()),
  dependsOn: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: MAX_BATCH_REQUESTS })),
}, { additionalProperties: false });
type BatchItem = Type.Static<typeof BatchItem>;

const BatchBody = Type.Object({ requests: Type.Array(BatchItem, { minItems: 1 }) }, { additionalProperties: false });
type BatchBody = Type.Static<typeof BatchBody>;

interface BatchAnswer {
  readonly id: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

const invalid = (message: string) => new ApiError('BAD_REQUEST', message);

/** `application/json` and its `+json` kin, whose bodies a batch carries as JSON rather than base64. */
const isJsonType = (contentType: string): boolean => /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType);

/** The item's URL inside this Graph version, as Graph reads it: relative to the version's root. */
function itemPath(version: string, item: BatchItem): string {
  if (/^[a-z][a-z\d+.-]*:/i.test(item.url) || item.url.startsWith('//')) {
    throw invalid(`Request '${item.id}': the url must be relative to the service root, such as '/me', not '${item.url}'.`);
  }
  const relative = item.url.replace(/^\/+/, '');
  const root = `/${version}/`;
  const url = new URL(`${root}${relative}`, BASE);
  // Dot segments that climb out of the version, or a batch inside a batch, would reach what a batch does not serve.
  if (!url.pathname.startsWith(root) || url.pathname.slice(root.length).split('/')[0]!.toLowerCase() === '$batch') {
    throw invalid(`Request '${item.id}': '${item.url}' is not a resource of this service that a batch may call.`);
  }
  return `${url.pathname}${url.search}`;
}

/** Graph compares request ids in any letter case: `A` and `a` are one id, and `dependsOn: ["A"]` names `a`. */
const idKey = (id: string): string => id.toLowerCase();

/** Items in an order that runs each after what it depends on, or 400 for an unknown, self or circular dependency. */
function runOrder(items: readonly BatchItem[]): BatchItem[] {
  const byId = new Map<string, BatchItem>();
  for (const item of items) {
    if (byId.has(idKey(item.id))) throw invalid(`Request id '${item.id}' is used more than once; each request in a batch needs its own id.`);
    byId.set(idKey(item.id), item);
  }
  for (const item of items) {
    for (const dep of item.dependsOn ?? []) {
      if (!byId.has(idKey(dep)) || idKey(dep) === idKey(item.id)) throw invalid(`Request '${item.id}' depends on '${dep}', which is not another request of this batch.`);
    }
  }
  const ordered: BatchItem[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (item: BatchItem): void => {
    const key = idKey(item.id);
    if (state.get(key) === 'done') return;
    if (state.get(key) === 'visiting') throw invalid(`Request '${item.id}' depends, through others, on itself.`);
    state.set(key, 'visiting');
    for (const dep of item.dependsOn ?? []) visit(byId.get(idKey(dep))!);
    state.set(key, 'done');
    ordered.push(item);
  };
  items.forEach(visit);
  return ordered;
}

function headersOf(item: BatchItem): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(item.headers ?? {})) {
    if (!REFUSED_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  }
  return headers;
}

/** The item's JSON body as text; parsing has no depth limit but writing it back does, and that is the sender's doing. */
function jsonText(item: BatchItem): string {
  try {
    return JSON.stringify(item.body);
  } catch (error) {
    if (error instanceof RangeError) throw invalid(`Request '${item.id}': its body is nested too deeply.`);
    throw error;
  }
}

/** What `app.inject` sends for the item: its method, URL, headers and body, as Graph reads a batch. */
function injectionFor(version: string, item: BatchItem, batch: FastifyRequest): InjectOptions {
  const method = item.method.toUpperCase();
  if (!METHODS.includes(method)) throw invalid(`Request '${item.id}': the method '${item.method}' is not one a batch can send; use ${METHODS.join(', ')}.`);
  const url = itemPath(version, item);
  const headers = headersOf(item);
  if (batch.headers.authorization) headers.authorization = batch.headers.authorization;
  // Links in the answers (`@odata.context`, `@odata.nextLink`) name the server the batch was sent to.
  headers[BATCH_ORIGIN_HEADER] = batchOrigin(requestBaseUrl(batch));
  if (batch.headers.host) headers.host = batch.headers.host;
  if (item.body === undefined || item.body === null) return { method: method as InjectOptions['method'], url, headers, remoteAddress: batch.ip };
  if (!headers['content-type']) throw invalid(`Request '${item.id}' has a body but no Content-Type header.`);
  const json = isJsonType(headers['content-type']);
  // A JSON item carries its body as JSON; any other type as base64, as Graph's batches do.
  const payload = json ? (typeof item.body === 'string' ? item.body : jsonText(item)) : Buffer.from(String(item.body), 'base64');
  return { method: method as InjectOptions['method'], url, headers, payload, remoteAddress: batch.ip };
}

function answerOf(id: string, response: { statusCode: number; headers: Record<string, unknown>; rawPayload: Buffer }): BatchAnswer {
  const headers: Record<string, string> = {};
  for (const name of ANSWERED_HEADERS) {
    const value = response.headers[name.toLowerCase()];
    if (value !== undefined) headers[name] = String(value);
  }
  if (response.rawPayload.length === 0) return { id, status: response.statusCode, headers };
  const json = isJsonType(headers['Content-Type'] ?? '');
  return { id, status: response.statusCode, headers, body: json ? JSON.parse(response.rawPayload.toString('utf8')) : response.rawPayload.toString('base64') };
}

export function registerBatchRoutes(app: FastifyInstance, deps: GraphDeps): void {
  app.post<{ Body: BatchBody }>('/$batch', { schema: { body: BatchBody } }, async (request) => {
    const items = request.body.requests;
    if (items.length > MAX_BATCH_REQUESTS) throw invalid(`A batch holds at most ${MAX_BATCH_REQUESTS} requests; this one has ${items.length}.`);
    const order = runOrder(items);
    // Every item is checked before any runs: a malformed batch changes nothing.
    const injections = new Map(items.map((item) => [idKey(item.id), injectionFor(deps.version, item, request)]));
    const answers = new Map<string, BatchAnswer>();
    for (const item of order) {
      const failed = (item.dependsOn ?? []).find((dep) => answers.get(idKey(dep))!.status >= 400);
      if (failed) {
        const error = new ApiError('FAILED_DEPENDENCY', `Request '${item.id}' was not run: request '${failed}', which it depends on, failed.`);
        answers.set(idKey(item.id), { id: item.id, status: 424, headers: { 'Content-Type': 'application/json' }, body: graphErrorBody(error, request).body });
        continue;
      }
      answers.set(idKey(item.id), answerOf(item.id, await app.inject(injections.get(idKey(item.id))!)));
    }
    return { responses: items.map((item) => answers.get(idKey(item.id))!) };
  });
}
