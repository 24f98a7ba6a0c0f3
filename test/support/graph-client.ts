import { readFileSync } from 'node:fs';
import { Client, GraphError } from '@microsoft/microsoft-graph-client';
import { Agent } from 'undici';
import type { Api } from './http.js';
import type { TestServer } from './test-server.js';

/**
 * Microsoft's Graph client, unmodified, pointed at a test server's HTTPS endpoint. Only its
 * documented options are used: baseUrl, customHosts, defaultVersion, an auth provider and
 * fetchOptions (here: a dispatcher that trusts Signoff's generated local CA).
 */
export function graphClientFor(server: TestServer, api: Api, user: string, version: 'beta' | 'v1.0' = 'beta'): Client {
  if (!server.httpsUrl || !server.caFile) throw new Error('start the test server with { https: true }');
  const dispatcher = new Agent({ connect: { ca: readFileSync(server.caFile, 'utf8') } });
  return Client.initWithMiddleware({
    baseUrl: server.httpsUrl,
    customHosts: new Set([new URL(server.httpsUrl).hostname]),
    defaultVersion: version,
    fetchOptions: { dispatcher } as RequestInit,
    authProvider: { getAccessToken: () => api.token(user) },
  });
}

/** The GraphError a client call fails with; anything else (or success) fails the test. */
export async function graphError(promise: Promise<unknown>): Promise<GraphError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GraphError) return error;
    throw error;
  }
  throw new Error('expected a GraphError');
}
