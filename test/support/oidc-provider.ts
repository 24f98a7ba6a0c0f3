import { createHash, randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { type TokenKey, newKey, nowSeconds, signToken } from './tokens.js';

type Key = TokenKey & { readonly publicJwk: JWK };

/** The public client registered for Signoff at this provider, and the API its access tokens are for. */
export interface SignInClient {
  readonly clientId: string;
  readonly audience: string;
  readonly key: TokenKey;
}

interface IssuedCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly nonce: string | null;
  readonly claims: Record<string, unknown>;
}

interface DeviceGrant {
  readonly userCode: string;
  readonly clientId: string;
  readonly expiresAtMs: number;
  claims: Record<string, unknown> | null;
  polls: number;
}

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

async function formOf(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return new URLSearchParams(body);
}

/**
 * A tiny OpenID provider on a loopback port: a discovery document and a JWKS whose keys the test
 * rotates, and RS256 tokens signed with any of its keys (published or not).
 */
export class OidcProvider {
  private published: Key[] = [];
  /** How many times the JWKS was fetched: shows what the verifier caches. */
  jwksFetches = 0;
  /** The discovery document is a page that is not JSON (a proxy's error page, say), until set back to false. */
  discoveryGarbage = false;
  /** An outage of the key set: it answers 500, or a page that is not JSON, until set back to null. */
  jwksFault: 'status' | 'garbage' | null = null;
  /** Sign-in (`/authorize`, `/token`, `/device`) answers only once a test registers the client. */
  client: SignInClient | null = null;
  /** Whose access token `/authorize` hands out next; null: the person declines (access_denied). */
  signInAs: Record<string, unknown> | null = null;
  /** RFC 8628 polling interval and lifetime the device endpoint announces, in seconds. */
  deviceInterval = 1;
  deviceExpiresIn = 600;
  /** How many polls of a device grant answer `slow_down` before anything else. */
  deviceSlowDowns = 0;
  /** When each device grant poll arrived (ms since the epoch): shows the client's pace. */
  readonly devicePolls: number[] = [];
  private readonly codes = new Map<string, IssuedCode>();
  private readonly devices = new Map<string, DeviceGrant>();
  private deviceWaiters: Array<(userCode: string) => void> = [];

  private constructor(private readonly server: Server, readonly issuer: string) {}

  /** `advertise` replaces the issuer the discovery document names (a misconfigured or impostor issuer). */
  static async start(advertise?: string): Promise<OidcProvider> {
    let provider: OidcProvider | null = null;
    const server = createServer((req, res) => {
      const send = (body: object) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url === '/.well-known/openid-configuration') {
        if (provider!.discoveryGarbage) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Bad gateway</body></html>');
        const base = provider!.issuer;
        return send({
          issuer: advertise ?? base, jwks_uri: `${base}/keys`, authorization_endpoint: `${base}/authorize`, token_endpoint: `${base}/token`,
          device_authorization_endpoint: `${base}/device`, response_types_supported: ['code'], code_challenge_methods_supported: ['S256'],
        });
      }
      if (req.url?.startsWith('/authorize?')) return provider!.authorize(new URL(req.url, provider!.issuer).searchParams, res);
      if (req.url === '/token' && req.method === 'POST') return void formOf(req).then((form) => provider!.redeem(form, res));
      if (req.url === '/device' && req.method === 'POST') return void formOf(req).then((form) => provider!.startDevice(form, res));
      if (req.url === '/keys') {
        provider!.jwksFetches++;
        if (provider!.jwksFault === 'status') return void res.writeHead(500, { 'content-type': 'text/plain' }).end('upstream unavailable');
        if (provider!.jwksFault === 'garbage') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Maintenance</body></html>');
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

  /** Resolves with the user code of the next device authorization someone starts. */
  nextDeviceRequest(): Promise<string> {
    return new Promise((resolve) => this.deviceWaiters.push(resolve));
  }

  /** The person at the verification page enters `userCode` and signs in with these claims. */
  approveDevice(userCode: string, claims: Record<string, unknown>): void {
    const grant = [...this.devices.values()].find((g) => g.userCode === userCode);
    if (!grant) throw new Error(`no device authorization with user code ${userCode}`);
    grant.claims = claims;
  }

  private authorize(params: URLSearchParams, res: ServerResponse): void {
    const client = this.client;
    const redirectUri = params.get('redirect_uri') ?? '';
    if (!client || params.get('client_id') !== client.clientId || params.get('response_type') !== 'code' || params.get('code_challenge_method') !== 'S256' || !params.get('code_challenge')) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid authorization request');
      return;
    }
    const back = new URL(redirectUri);
    if (this.signInAs) {
      const code = randomBytes(16).toString('base64url');
      this.codes.set(code, { clientId: client.clientId, redirectUri, challenge: params.get('code_challenge')!, nonce: params.get('nonce'), claims: this.signInAs });
      back.searchParams.set('code', code);
    } else {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user declined to sign in');
    }
    if (params.get('state')) back.searchParams.set('state', params.get('state')!);
    res.writeHead(302, { location: back.href }).end();
  }

  private async redeem(form: URLSearchParams, res: ServerResponse): Promise<void> {
    // The page calls from Signoff's origin; a real provider allows its registered SPA origins.
    const answer = (status: number, body: object): void => void res.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    const refuse = (error: string, description: string): void => answer(400, { error, error_description: description });
    const client = this.client;
    if (!client || form.get('client_id') !== client.clientId) return refuse('invalid_client', 'Unknown client');
    if (form.get('grant_type') === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      if (!code) return refuse('invalid_grant', 'Unknown or used code');
      if (form.get('redirect_uri') !== code.redirectUri) return refuse('invalid_grant', 'redirect_uri does not match');
      if (s256(form.get('code_verifier') ?? '') !== code.challenge) return refuse('invalid_grant', 'PKCE verification failed');
      return answer(200, await this.issue(client, code.claims, code.nonce));
    }
    if (form.get('grant_type') === DEVICE_GRANT) {
      const grant = this.devices.get(form.get('device_code') ?? '');
      if (!grant || grant.clientId !== client.clientId) return refuse('invalid_grant', 'Unknown device code');
      grant.polls++;
      this.devicePolls.push(Date.now());
      if (Date.now() >= grant.expiresAtMs) return refuse('expired_token', 'The device code expired');
      if (grant.polls <= this.deviceSlowDowns) return refuse('slow_down', 'Polling too fast');
      if (!grant.claims) return refuse('authorization_pending', 'Not yet approved');
      this.devices.delete(form.get('device_code')!);
      return answer(200, await this.issue(client, grant.claims, null));
    }
    return refuse('unsupported_grant_type', 'Unsupported grant type');
  }

  private async issue(client: SignInClient, claims: Record<string, unknown>, nonce: string | null): Promise<object> {
    const now = nowSeconds();
    const idToken = await signToken(client.key, { iss: this.issuer, aud: client.clientId, iat: now, exp: now + 3600, sub: String(claims.sub ?? claims.oid ?? ''), ...(nonce ? { nonce } : {}) });
    return { token_type: 'Bearer', expires_in: 3600, access_token: await this.token(client.key, client.audience, claims), id_token: idToken };
  }

  private startDevice(form: URLSearchParams, res: ServerResponse): void {
    const client = this.client;
    const send = (status: number, body: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (!client || form.get('client_id') !== client.clientId) return void send(400, { error: 'invalid_client' });
    const deviceCode = randomBytes(16).toString('base64url');
    const userCode = randomBytes(4).toString('hex').toUpperCase();
    this.devices.set(deviceCode, { userCode, clientId: client.clientId, expiresAtMs: Date.now() + this.deviceExpiresIn * 1000, claims: null, polls: 0 });
    send(200, {
      device_code: deviceCode, user_code: userCode, verification_uri: `${this.issuer}/device`,
      verification_uri_complete: `${this.issuer}/device?user_code=${userCode}`, expires_in: this.deviceExpiresIn, interval: this.deviceInterval,
    });
    for (const waiter of this.deviceWaiters.splice(0)) waiter(userCode);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
