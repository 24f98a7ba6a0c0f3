import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { type TokenKey, newKey, nowSeconds, signToken } from './tokens.js';

type Key = TokenKey & { readonly publicJwk: JWK };

/**
 * A tiny OpenID provider on a loopback port: a discovery document and a JWKS whose keys the test
 * rotates, and RS256 tokens signed with any of its keys (published or not).
 */
export class OidcProvider {
  private published: Key[] = [];
  /** How many times the JWKS was fetched: shows what the verifier caches. */
  jwksFetches = 0;

  private constructor(private readonly server: Server, readonly issuer: string) {}

  /** `advertise` replaces the issuer the discovery document names (a misconfigured or impostor issuer). */
  static async start(advertise?: string): Promise<OidcProvider> {
    let provider: OidcProvider | null = null;
    const server = createServer((req, res) => {
      const send = (body: object) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url === '/.well-known/openid-configuration') return send({ issuer: advertise ?? provider!.issuer, jwks_uri: `${provider!.issuer}/keys` });
      if (req.url === '/keys') {
        provider!.jwksFetches++;
        return send({ keys: provider!.published.map((k) => k.publicJwk) });
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    provider = new OidcProvider(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return provider;
  }

  async addKey(kid: string): Promise<Key> {
    const key = await newKey(kid);
    this.published.push(key);
    return key;
  }

  removeKey(kid: string): void {
    this.published = this.published.filter((k) => k.kid !== kid);
  }

  /** A token from this issuer for `audience`, valid for an hour unless `claims` say otherwise. */
  token(key: TokenKey, audience: string, claims: Record<string, unknown>): Promise<string> {
    const now = nowSeconds();
    return signToken(key, { iss: this.issuer, aud: audience, iat: now, nbf: now, exp: now + 3600, ...claims });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
