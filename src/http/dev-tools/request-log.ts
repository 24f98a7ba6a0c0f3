import type { FastifyReply, FastifyRequest } from 'fastify';
import { FAULT_HEADER } from './fault-answer.js';
import { compilePathGlob } from './path-glob.js';
import { redactBody, redactHeaders, redactText } from './redact.js';

export interface LoggedRequest {
  readonly requestId: string;
  readonly at: string;
  readonly method: string;
  readonly path: string;
  readonly query: string | null;
  readonly status: number;
  readonly latencyMs: number;
  readonly caller: { readonly id: string; readonly userPrincipalName: string } | null;
  /** The id of the fault rule that answered or delayed the request. */
  readonly fault: string | null;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly requestBody: unknown;
  readonly responseBody: unknown;
}

export interface RequestLogFilter {
  /** A substring of the path, or a glob when it holds `*`. */
  readonly path?: string;
  /** An exact status, or a class such as `4xx`. */
  readonly status?: string;
  /** The caller's object id or user principal name. */
  readonly caller?: string;
  readonly method?: string;
  readonly top?: number;
}

// Bounds the log's memory (1,000 entries × two bodies) whatever the responses' size.
const MAX_BODY_CHARS = 8_192;

/**
 * The last `capacity` requests, newest first, with every credential redacted before it is stored:
 * nothing secret ever sits in memory for `GET /dev/requests` to hand out.
 */
export class RequestLog {
  private readonly entries: (LoggedRequest | undefined)[];
  private next = 0;
  private readonly payloads = new WeakMap<FastifyRequest, unknown>();

  constructor(private readonly capacity = 1000) {
    this.entries = new Array(capacity);
  }

  /** onSend: keeps the answer's body for `record`. */
  keepPayload(request: FastifyRequest, payload: unknown): void {
    if (typeof payload === 'string' || Buffer.isBuffer(payload)) this.payloads.set(request, payload);
  }

  /** onResponse: one entry per answered request. */
  record(request: FastifyRequest, reply: FastifyReply): void {
    const [path, query] = splitUrl(request.url);
    const fault = reply.getHeader(FAULT_HEADER);
    this.entries[this.next] = {
      requestId: request.id,
      at: new Date().toISOString(),
      method: request.method,
      path,
      query: query === null ? null : redactText(query),
      status: reply.statusCode,
      latencyMs: Math.round(reply.elapsedTime * 100) / 100,
      caller: request.caller ? { id: request.caller.userId, userPrincipalName: request.caller.upn } : null,
      fault: typeof fault === 'string' ? fault : null,
      requestHeaders: redactHeaders(request.headers),
      requestBody: redactBody(request.body, MAX_BODY_CHARS),
      responseBody: redactBody(this.payloads.get(request), MAX_BODY_CHARS),
    };
    this.next = (this.next + 1) % this.capacity;
  }

  list(filter: RequestLogFilter = {}): LoggedRequest[] {
    const matches = entryFilter(filter);
    const found: LoggedRequest[] = [];
    const top = filter.top ?? this.capacity;
    for (let i = 1; i <= this.capacity && found.length < top; i++) {
      const entry = this.entries[(this.next - i + this.capacity) % this.capacity];
      if (!entry) break;
      if (matches(entry)) found.push(entry);
    }
    return found;
  }

  clear(): void {
    this.entries.fill(undefined);
    this.next = 0;
  }
}

function splitUrl(url: string): [string, string | null] {
  const at = url.indexOf('?');
  return at < 0 ? [url, null] : [url.slice(0, at), url.slice(at + 1)];
}

function entryFilter(filter: RequestLogFilter): (e: LoggedRequest) => boolean {
  const tests: ((e: LoggedRequest) => boolean)[] = [];
  if (filter.path) {
    const wanted = filter.path.toLowerCase();
    if (wanted.includes('*')) {
      const matches = compilePathGlob(wanted);
      tests.push((e) => matches(e.path));
    } else {
      tests.push((e) => e.path.toLowerCase().includes(wanted));
    }
  }
  if (filter.status) {
    const klass = /^([1-5])xx$/i.exec(filter.status);
    tests.push(klass ? (e) => Math.floor(e.status / 100) === Number(klass[1]) : (e) => String(e.status) === filter.status);
  }
  if (filter.caller) {
    const who = filter.caller.toLowerCase();
    tests.push((e) => e.caller !== null && (e.caller.id.toLowerCase() === who || e.caller.userPrincipalName.toLowerCase() === who));
  }
  if (filter.method) {
    const method = filter.method.toUpperCase();
    tests.push((e) => e.method === method);
  }
  return (e) => tests.every((t) => t(e));
}
