import type { FastifyRequest } from 'fastify';
import type { Services } from '../app/services.js';
import type { TokenVerifier, VerifiedToken } from '../auth/verify-token.js';
import { findCaller } from '../directory/directory-repo.js';
import { ApiError } from './api-error.js';
import type { CallerContext } from './fastify-types.js';

export interface Authenticator {
  authenticate(request: FastifyRequest): Promise<CallerContext>;
}

/** Which claim names a user, in order of preference (`oid`, then `sub`, then the sign-in name). */
export const SUBJECT_CLAIMS = ['oid', 'sub', 'preferred_username', 'upn'] as const;

/**
 * Claims that carry a sign-in name. Many issuers let people choose theirs (self-registration, an
 * editable user name or e-mail), so such a claim names a user by user principal name only: read
 * as an object id, a name chosen to equal an administrator's id would sign in as them.
 */
const SIGN_IN_NAME_CLAIMS: ReadonlySet<string> = new Set(['preferred_username', 'upn', 'unique_name', 'email']);

function claimValues(verified: VerifiedToken, claims: readonly string[]): Array<{ claim: string; value: string }> {
  return claims.flatMap((claim) => {
    const value = verified.claims[claim];
    return typeof value === 'string' && value !== '' ? [{ claim, value }] : [];
  });
}

/**
 * An application calling as itself. Graph's application permissions are tenant-wide, so it reads
 * as an administrator does; the permission table (auth/permissions.ts) has already refused every
 * operation its roles do not open, and every one Microsoft does not offer to applications.
 */
function applicationCaller(verified: VerifiedToken, subjectClaims: readonly string[]): CallerContext {
  const id = claimValues(verified, subjectClaims)[0]?.value;
  if (!id) throw new ApiError('UNKNOWN_CALLER', `The application token names no subject in any of the claims ${subjectClaims.join(', ')}.`);
  const appId = typeof verified.claims.azp === 'string' ? verified.claims.azp : typeof verified.claims.appid === 'string' ? verified.claims.appid : id;
  return { userId: id, upn: appId, displayName: appId, isAdmin: true, scopes: [], roles: verified.roles, kind: 'application' };
}

export function createAuthenticator(services: Services, verifier: TokenVerifier, subjectClaims: readonly string[] = SUBJECT_CLAIMS): Authenticator {
  return {
    async authenticate(request) {
      const header = request.headers.authorization;
      if (!header) throw new ApiError('UNAUTHENTICATED', 'Access token is empty.');
      const match = /^Bearer\s+([A-Za-z0-9\-_.~+/]+=*)\s*$/i.exec(header);
      if (!match) throw new ApiError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <token>".');
      const verified = await verifier.verify(match[1]!);
      if (verified.appOnly) return applicationCaller(verified, subjectClaims);
      const db = services.store.db;
      const now = services.clock.now();
      let user;
      for (const { claim, value } of claimValues(verified, subjectClaims)) {
        user = await findCaller(db, value, now, { upnOnly: SIGN_IN_NAME_CLAIMS.has(claim) });
        if (user) break;
      }
      if (!user) {
        throw new ApiError('UNKNOWN_CALLER', `The token is valid but its subject (claims ${subjectClaims.join(', ')}) is not a user in this directory. Ask an administrator to add the user.`);
      }
      return {
        userId: user.id,
        upn: user.user_principal_name,
        displayName: user.display_name,
        isAdmin: user.isAdmin,
        scopes: verified.scopes,
        roles: verified.roles,
        kind: 'user',
      };
    },
  };
}
