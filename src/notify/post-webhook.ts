import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { RefusedAddressError, refusedUrlHost } from './receiver-address.js';

export interface WebhookPost {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** How long to wait for the response's status line before giving up. */
  readonly timeoutMs: number;
  /** Resolves the receiver's host name; `guardedLookup` refuses the addresses a webhook may not reach. */
  readonly lookup: LookupFunction;
}

/**
 * POSTs one delivery and answers the receiver's status code, following no redirect (a redirect
 * is the receiver's answer, and could lead anywhere). A host written as an address is checked
 * here, since sockets look up only names.
 */
export function postWebhook(url: string, post: WebhookPost): Promise<number> {
  const target = new URL(url);
  const refused = refusedUrlHost(target);
  if (refused) return Promise.reject(new RefusedAddressError(refused));
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(target, {
      method: 'POST',
      headers: { ...post.headers, 'content-length': String(Buffer.byteLength(post.body)) },
      lookup: post.lookup,
      signal: AbortSignal.timeout(post.timeoutMs),
    }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end(post.body);
  });
}
