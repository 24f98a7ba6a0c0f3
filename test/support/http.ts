import { DEMO, type DemoUser } from './demo.js';

export interface ApiResponse<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

/** Plain fetch against a test server, parsing JSON bodies; no client library in between. */
export class Api {
  private readonly tokens = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  async token(user: DemoUser | string, scopes?: string[]): Promise<string> {
    const username = user in DEMO.users ? `${user}@contoso.com` : user;
    const key = `${username}|${scopes?.join(' ') ?? '*'}`;
    const cached = this.tokens.get(key);
    if (cached) return cached;
    const res = await this.call('POST', '/dev/token', { body: { username, ...(scopes ? { scopes } : {}) } });
    if (res.status !== 200) throw new Error(`token for ${username}: ${res.status} ${res.text}`);
    this.tokens.set(key, res.body.access_token);
    return res.body.access_token;
  }

  async call<T = any>(method: string, path: string, options: { as?: DemoUser | string; token?: string | null; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token !== undefined ? options.token : options.as ? await this.token(options.as) : null;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = undefined;
    try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  get<T = any>(path: string, as?: DemoUser | string) { return this.call<T>('GET', path, { as }); }
  post<T = any>(path: string, body: unknown, as?: DemoUser | string) { return this.call<T>('POST', path, { as, body }); }
  patch<T = any>(path: string, body: unknown, as?: DemoUser | string) { return this.call<T>('PATCH', path, { as, body }); }
}

export function activationBody(roleDefinitionId: string, principalId: string, overrides: Record<string, unknown> = {}) {
  return {
    action: 'selfActivate',
    principalId,
    roleDefinitionId,
    directoryScopeId: '/',
    justification: 'Investigating incident INC-1234',
    scheduleInfo: { startDateTime: new Date().toISOString(), expiration: { type: 'afterDuration', duration: 'PT1H' } },
    ticketInfo: { ticketNumber: 'INC-1234', ticketSystem: 'ServiceNow' },
    ...overrides,
  };
}
