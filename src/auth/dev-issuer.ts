import { type JWK, SignJWT, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { Store } from '../store/store.js';
import { WEBHOOKS_SCOPE } from './permissions.js';

/** Delegated scopes a dev token carries unless the caller asks for fewer. */
export const ALL_DEV_SCOPES = [
  'User.Read', 'User.Read.All', 'Group.Read.All', 'Directory.Read.All',
  'RoleManagement.ReadWrite.Directory', 'RoleAssignmentSchedule.ReadWrite.Directory', 'RoleEligibilitySchedule.ReadWrite.Directory',
  'RoleManagementPolicy.ReadWrite.Directory', 'PrivilegedAccess.ReadWrite.AzureADGroup', 'PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup',
  'PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup', 'RoleManagementPolicy.ReadWrite.AzureADGroup',
  'EntitlementManagement.ReadWrite.All', 'user_impersonation',
  'User.ReadWrite.All', 'Group.ReadWrite.All', 'GroupMember.ReadWrite.All', 'Directory.ReadWrite.All', 'AuditLog.Read.All',
  WEBHOOKS_SCOPE,
] as const;

export const DEV_AUDIENCE = 'api://signoff';

export interface SigningKey {
  readonly kid: string;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

const META_KEY = 'dev_signing_key';

/**
 * The dev issuer's RSA key lives in the store, so every instance on one database signs and
 * verifies with the same key and tokens survive restarts.
 */
export async function loadOrCreateSigningKey(store: Store): Promise<SigningKey> {
  const { db } = store;
  const existing = await db.selectFrom('meta').select('value').where('key', '=', META_KEY).executeTakeFirst();
  if (existing) return fromStored(JSON.parse(existing.value));
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  const kid = `signoff-dev-${Date.now().toString(36)}`;
  const stored = { ...jwk, kid, alg: 'RS256', use: 'sig' };
  try {
    await store.transaction((tx) => tx.insertInto('meta').values({ key: META_KEY, value: JSON.stringify(stored) }).execute());
    return fromStored(stored);
  } catch {
    // Another instance created it first; use theirs.
    const row = await db.selectFrom('meta').select('value').where('key', '=', META_KEY).executeTakeFirstOrThrow();
    return fromStored(JSON.parse(row.value));
  }
}

function fromStored(jwk: JWK & { kid: string }): SigningKey {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
  return { kid: jwk.kid, privateJwk: jwk, publicJwk };
}

export interface DevTokenClaims {
  readonly userId: string;
  readonly upn: string;
  readonly name: string;
  readonly tenantId: string | null;
  readonly scopes: readonly string[];
}

export const DEV_TOKEN_LIFETIME_SECONDS = 3600;

export async function signDevToken(key: SigningKey, issuer: string, claims: DevTokenClaims): Promise<string> {
  const privateKey = await importJWK(key.privateJwk, 'RS256');
  // Real time, not the dev clock: moving approvals' time must not expire the tester's token.
  return new SignJWT({
    oid: claims.userId, upn: claims.upn, preferred_username: claims.upn, name: claims.name, tid: claims.tenantId ?? undefined,
    scp: claims.scopes.join(' '), ver: '2.0',
  })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(DEV_AUDIENCE)
    .setSubject(claims.userId)
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime(`${DEV_TOKEN_LIFETIME_SECONDS}s`)
    .setJti(crypto.randomUUID())
    .sign(privateKey);
}
