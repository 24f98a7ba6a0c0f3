import type { FastifyRequest } from 'fastify';
import { isAdmin } from '../app/authorization.js';
import type { Services } from '../app/services.js';
import type { TokenVerifier } from '../auth/verify-token.js';
import { findUser } from '../directory/directory-repo.js';
import { ApiError } from './api-error.js';
import type { CallerContext } from './fastify-types.js';

export interface Authenticator {
  authenticate(request: FastifyRequest): Promise<CallerContext>;
}

/** Which claim names a user, in order of preference (`oid`, then `sub`, then the sign-in name). */
export const SUBJECT_CLAIMS = ['oid', 'sub', 'preferred_username', 'upn'] as const;

export function createAuthenticator(services: Services, verifier: TokenVerifier, subjectClaims: readonly string[] = SUBJECT_CLAIMS): Authenticator {
  return {
    async authenticate(request) {
      const header = request.headers.authorization;
      if (!header) throw new ApiError('UNAUTHENTICATED', 'Access token is empty.');
      const match = /^Bearer\s+([A-Za-z0-9\-_.~+/]+=*)\s*$/i.exec(header);
      if (!match) throw new ApiError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <token>".');
      const verified = await verifier.verify(match[1]!);
      const db = services.store.db;
      let user;
      for (const claim of subjectClaims) {
        const value = verified.claims[claim];
        if (typeof value === 'string' && value) {
          user = await findUser(db, value);
          if (user) break;
        }
      }
      if (!user) throw new ApiError('UNKNOWN_CALLER', 'The token is valid but its subject is not a user in this directory.');
      return {
        userId: user.id,
        upn: user.user_principal_name,
        displayName: user.display_name,
        isAdmin: await isAdmin(db, user.id, services.clock.now()),
        scopes: verified.scopes,
        roles: verified.roles,
      };
    },
  };
}
