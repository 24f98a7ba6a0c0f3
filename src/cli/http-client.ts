import { CliError, EXIT, exitCodeForStatus } from './exit-codes.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/** A refusal from the server: its status, code and message, and the request id to quote in a report. */
export class ApiCallError extends CliError {
  constructor(readonly status: number, readonly code: string, readonly serverMessage: string, readonly requestId: string | null) {
    super(`${serverMessage} (HTTP ${status}${code ? ` ${code}` : ''}${requestId ? `, request id ${requestId}` : ''})`, exitCodeForStatus(status));
    this.name = 'ApiCallError';
  }
}

interface ErrorEnvelope {
  error?: { code?: string; message?: string; innerError?: { 'request-id'?: string } };
}

async function apiError(response: Response, signedIn: boolean): Promise<ApiCallError> {
  const text = await response.text();
  let envelope: ErrorEnvelope = {};
  try { envelope = JSON.parse(text) as ErrorEnvelope; } catch { /* not JSON: the status says enough */ }
  const requestId = envelope.error?.innerError?.['request-id'] ?? response.headers.get('request-id') ?? response.headers.get('x-ms-request-id');
  let message = envelope.error?.message ?? (text.trim().slice(0, 300) || response.statusText || 'The server refused the request.');
  if (response.status === 401 && !signedIn) message += ' Sign in with `signoff login --user <upn>`, or pass --token / SIGNOFF_TOKEN.';
  return new ApiCallError(response.status, envelope.error?.code ?? '', message, requestId);
}

export interface CallOptions {
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | undefined>>;
  /** Send no bearer token (dev token endpoint). */
  readonly anonymous?: boolean;
}

/** HTTP to one Signoff server with one bearer token; every failure becomes a CliError with its exit code. */
export class SignoffClient {
  constructor(readonly server: string, private readonly token: string | null) {}

  url(path: string, query: CallOptions['query'] = {}): string {
    const url = new URL(path, this.server.endsWith('/') ? this.server : `${this.server}/`);
    // `path` is absolute on the server; a base path on --server is kept.
    url.pathname = `${new URL(this.server).pathname.replace(/\/$/, '')}${path.split('?')[0]}`;
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    return url.toString();
  }

  /** The raw response of a successful call (2xx); anything else throws. */
  async send(method: string, path: string, options: CallOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token && !options.anonymous) headers.authorization = `Bearer ${this.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    const url = path.startsWith('http') ? path : this.url(path, options.query);
    try {
      response = await fetch(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`Cannot reach the Signoff server at ${this.server}: ${cause?.code ?? cause?.message ?? (error as Error).message}. Set --server or SIGNOFF_SERVER.`, EXIT.error);
    }
    if (!response.ok) throw await apiError(response, this.token !== null);
    return response;
  }

  async json<T = any>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T = any>(path: string, query?: CallOptions['query']): Promise<T> {
    return this.json<T>('GET', path, { query });
  }

  /** Every item of an OData collection, following `@odata.nextLink` up to `maxItems`. */
  async collect<T = any>(path: string, maxItems = 10_000): Promise<T[]> {
    const items: T[] = [];
    let next: string | null = this.url(path);
    while (next && items.length < maxItems) {
      const page: { value?: T[]; '@odata.nextLink'?: string } = await this.json('GET', this.sameServer(next));
      items.push(...(page.value ?? []));
      next = page['@odata.nextLink'] ?? null;
    }
    return items.slice(0, maxItems);
  }

  /** A next link names the server as it saw itself; follow it on the server we were given. */
  private sameServer(link: string): string {
    const parsed = new URL(link);
    const ours = new URL(this.server);
    parsed.protocol = ours.protocol;
    parsed.host = ours.host;
    return parsed.toString();
  }
}
