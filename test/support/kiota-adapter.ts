import { readFileSync } from 'node:fs';
import { type AccessTokenProvider, AllowedHostsValidator, BaseBearerTokenAuthenticationProvider } from '@microsoft/kiota-abstractions';
import { KiotaClientFactory } from '@microsoft/kiota-http-fetchlibrary';
import { GraphBetaRequestAdapter } from '@microsoft/msgraph-beta-sdk';
import { Agent, fetch as undiciFetch } from 'undici';
import type { DemoUser } from './demo.js';
import type { Api } from './http.js';
import type { TestServer } from './test-server.js';

/**
 * Kiota's own bearer provider over a token source that, like Kiota's Azure provider, hands a token
 * only to an allowed host over https.
 */
export function bearerFor(api: Api, user: DemoUser, allowedHost = '127.0.0.1'): BaseBearerTokenAuthenticationProvider {
  const hosts = new AllowedHostsValidator(new Set([allowedHost]));
  const tokens: AccessTokenProvider = {
    getAllowedHostsValidator: () => hosts,
    getAuthorizationToken: async (url) => (url && url.startsWith('https://') && hosts.isUrlHostValid(url) ? api.token(user) : ''),
  };
  return new BaseBearerTokenAuthenticationProvider(tokens);
}

/** The beta SDK's request adapter, unmodified; only its HTTP client's fetch trusts Signoff's local CA. */
export function adapterFor(server: TestServer, api: Api, user: DemoUser, allowedHost?: string): GraphBetaRequestAdapter {
  const dispatcher = new Agent({ connect: { ca: readFileSync(server.caFile!, 'utf8') } });
  const trustingFetch = (url: string, init: RequestInit) => undiciFetch(url, { ...init, dispatcher } as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>;
  const adapter = new GraphBetaRequestAdapter(bearerFor(api, user, allowedHost), undefined, undefined, KiotaClientFactory.create(trustingFetch));
  adapter.baseUrl = `${server.httpsUrl}/beta`;
  return adapter;
}

