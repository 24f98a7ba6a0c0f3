import { type JWTPayload, type JWTVerifyGetKey, createLocalJWKSet, createRemoteJWKSet, customFetch, errors, jwtVerify } from 'jose';

export interface VerifiedToken {
  readonly claims: JWTPayload & Record<string, unknown>;
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
  /** An application calling as itself (client credentials): no user, its `roles` are its permissions. */
  readonly appOnly: boolean;
}

export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

/**
 * The issuer's key set could not be read (unreachable, too slow, an error, not a key set), so no
 * verdict on the token: the caller should retry it, not fetch another.
 */
export class KeySetUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeySetUnavailableError';
  }
}

export interface TokenVerifier {
  verify(token: string): Promise<VerifiedToken>;
}

export interface VerifierOptions {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly keys: JWTVerifyGetKey;
  /** Asymmetric algorithms only: HS* with a public key and `none` are never accepted. */
  readonly algorithms?: readonly string[];
  readonly clockToleranceSeconds?: number;
  /** Verified tokens remembered; 0 verifies every presentation anew. */
  readonly cacheEntries?: number;
}

/** How long a verified token is taken on trust before its signature is checked again. */
const CACHE_MAX_AGE_MS = 60_000;

/** A key set that can say which key ids it holds now, so a cached token whose key was withdrawn is not trusted. */
export interface KeyIdsOf {
  keyIds(): ReadonlySet<string>;
}

interface CachedToken {
  readonly verified: VerifiedToken;
  readonly kid: string | undefined;
  readonly validUntil: number;
}

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'Lifetime validation failed, the token is expired.';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'Invalid audience.';
    if (error.claim === 'iss') return 'Invalid issuer.';
    if (error.claim === 'nbf') return 'The token is not yet valid.';
    return `Invalid claim '${error.claim}'.`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'The token is signed with an algorithm that is not accepted.';
  if (error instanceof errors.JWKSNoMatchingKey) return 'The token is signed with an unknown key.';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'Invalid signature.';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'The token is malformed.';
  return 'The token could not be validated.';
}

function kidOf(token: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies bearer tokens: signature (asymmetric algorithms only), issuer, audience, expiry and
 * not-before. Each caller presents the same token many times, and an RS256 check costs more than
 * the rest of a small request, so a verified token is remembered (keyed by its exact text) until
 * it lapses or for a minute, whichever is first, and only while its signing key is still published.
 */
export function createVerifier(options: VerifierOptions): TokenVerifier {
  const algorithms = [...(options.algorithms ?? ASYMMETRIC)].filter((a) => ASYMMETRIC.includes(a));
  const toleranceSeconds = options.clockToleranceSeconds ?? 60;
  const capacity = options.cacheEntries ?? 1000;
  const cache = new Map<string, CachedToken>();
  const keyIds = (options.keys as Partial<KeyIdsOf>).keyIds ?? null;

  function remembered(token: string): VerifiedToken | null {
    const hit = cache.get(token);
    if (!hit) return null;
    if (Date.now() < hit.validUntil && (!keyIds || (hit.kid !== undefined && keyIds().has(hit.kid)))) return hit.verified;
    cache.delete(token);
    return null;
  }

  function remember(token: string, verified: VerifiedToken): void {
    if (capacity === 0) return;
    const exp = typeof verified.claims.exp === 'number' ? verified.claims.exp : 0;
    if (cache.size >= capacity) cache.delete(cache.keys().next().value!);
    cache.set(token, { verified, kid: kidOf(token), validUntil: Math.min(Date.now() + CACHE_MAX_AGE_MS, (exp + toleranceSeconds) * 1000) });
  }

  return {
    async verify(token: string): Promise<VerifiedToken> {
      const known = remembered(token);
      if (known) return known;
      const verified = await verifyAnew(token);
      remember(token, verified);
      return verified;
    },
  };

  async function verifyAnew(token: string): Promise<VerifiedToken> {
    try {
      const { payload } = await jwtVerify(token, options.keys, {
        issuer: options.issuer,
        audience: [...options.audiences],
        algorithms,
        clockTolerance: toleranceSeconds,
        requiredClaims: ['exp', 'iat'],
      });
      // Entra ID names delegated scopes `scp`; RFC 9068 issuers (Keycloak, Okta, Dex) name them `scope`.
      const scopeClaim = typeof payload.scp === 'string' ? payload.scp : typeof payload.scope === 'string' ? payload.scope : null;
      const scopes = scopeClaim?.split(' ').filter(Boolean) ?? [];
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
      // Entra's optional `idtyp` says so outright; otherwise a token with roles and no scopes is app-only.
      const appOnly = payload.idtyp === 'app' || (scopeClaim === null && roles.length > 0);
      return { claims: payload as VerifiedToken['claims'], scopes, roles, appOnly };
    } catch (error) {
      if (error instanceof KeySetUnavailableError) throw error;
      throw new TokenError(`Access token validation failure. ${describe(error)}`);
    }
  }
}

export function localKeys(jwks: { keys: object[] }): JWTVerifyGetKey {
  return createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
}

/**
 * Fetches the issuer's key set for jose, failing with KeySetUnavailableError when what comes back
 * cannot be a key set, so an outage at the issuer is told apart from a bad token.
 */
async function fetchKeySet(jwksUri: string, ...args: Parameters<typeof fetch>): Promise<Response> {
  const unavailable = (why: string, cause?: unknown) => new KeySetUnavailableError(`The identity provider's signing keys (${jwksUri}) ${why}. Retry the request.`, { cause });
  let text: string;
  try {
    const response = await fetch(...args);
    if (response.status !== 200) throw unavailable(`answered ${response.status}`);
    text = await response.text();
  } catch (error) {
    if (error instanceof KeySetUnavailableError) throw error;
    throw unavailable('could not be fetched', error);
  }
  let set: unknown;
  try {
    set = JSON.parse(text);
  } catch (error) {
    throw unavailable('are not JSON', error);
  }
  if (typeof set !== 'object' || set === null || !Array.isArray((set as { keys?: unknown }).keys)) throw unavailable('are not a JSON Web Key Set');
  return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
}

/**
 * The issuer's keys, cached: an unknown `kid` refetches the set (at most once per cooldown), so a
 * rotated-in key works at once and a removed key stops working at the next refetch or cache expiry.
 */
export function remoteKeys(jwksUri: string, options: { cooldownMs?: number; cacheMaxAgeMs?: number } = {}): JWTVerifyGetKey & KeyIdsOf {
  let fetches = 0;
  const set = createRemoteJWKSet(new URL(jwksUri), {
    cooldownDuration: options.cooldownMs ?? 30_000,
    cacheMaxAge: options.cacheMaxAgeMs ?? 10 * 60_000,
    [customFetch]: (...args: Parameters<typeof fetch>) => {
      fetches++;
      return fetchKeySet(jwksUri, ...args);
    },
  });
  // Read again only after a fetch (jose hands out a copy of the set each time), and only once it
  // has finished, so a cached token meets the same key set a fresh verification would.
  let ids: ReadonlySet<string> = new Set();
  let idsAfter = -1;
  const keyIds = () => {
    if (idsAfter !== fetches) {
      ids = new Set((set.jwks()?.keys ?? []).flatMap((k) => (typeof k.kid === 'string' ? [k.kid] : [])));
      if (!set.reloading) idsAfter = fetches;
    }
    return ids;
  };
  return Object.assign(set, { keyIds });
}
