import { type JWTPayload, type JWTVerifyGetKey, createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify } from 'jose';

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

export function createVerifier(options: VerifierOptions): TokenVerifier {
  const algorithms = [...(options.algorithms ?? ASYMMETRIC)].filter((a) => ASYMMETRIC.includes(a));
  return {
    async verify(token: string): Promise<VerifiedToken> {
      try {
        const { payload } = await jwtVerify(token, options.keys, {
          issuer: options.issuer,
          audience: [...options.audiences],
          algorithms,
          clockTolerance: options.clockToleranceSeconds ?? 60,
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
        throw new TokenError(`Access token validation failure. ${describe(error)}`);
      }
    },
  };
}

export function localKeys(jwks: { keys: object[] }): JWTVerifyGetKey {
  return createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
}

/**
 * The issuer's keys, cached: an unknown `kid` refetches the set (at most once per cooldown), so a
 * rotated-in key works at once and a removed key stops working at the next refetch or cache expiry.
 */
export function remoteKeys(jwksUri: string, options: { cooldownMs?: number; cacheMaxAgeMs?: number } = {}): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(jwksUri), { cooldownDuration: options.cooldownMs ?? 30_000, cacheMaxAge: options.cacheMaxAgeMs ?? 10 * 60_000 });
}
