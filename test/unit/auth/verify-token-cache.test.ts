import { type JWK, SignJWT, createLocalJWKSet, errors, exportJWK, generateKeyPair } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TokenError, createVerifier } from '../../../src/auth/verify-token.js';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'api://signoff';

type Keys = Awaited<ReturnType<typeof generateKeyPair>>;

let keys: Keys;
let publicJwk: JWK;

beforeAll(async () => {
  keys = await generateKeyPair('RS256');
  publicJwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256' };
});
afterEach(() => {
  vi.useRealTimers();
});

function token(expiresIn = '1h'): Promise<string> {
  return new SignJWT({ oid: 'user-1', scp: 'openid' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime(expiresIn).sign(keys.privateKey);
}

/** A key resolver that counts how often a signature is checked, and can publish or withdraw its key as a remote set does. */
function countingKeys() {
  const set = { keys: [publicJwk] };
  const resolve = createLocalJWKSet(set);
  const resolver = Object.assign(async (...args: Parameters<typeof resolve>) => {
    resolver.lookups++;
    if (set.keys.length === 0) throw new errors.JWKSNoMatchingKey();
    return resolve(...args);
  }, { lookups: 0, keyIds: () => new Set(set.keys.map((k) => k.kid!)), withdraw: () => { set.keys = []; } });
  return resolver;
}

describe('token verification cache', () => {
  it('checks the signature of a token once, then trusts the same exact text', async () => {
    const resolver = countingKeys();
    const verifier = createVerifier({ issuer: ISSUER, audiences: [AUDIENCE], keys: resolver });
    const t = await token();
    for (let i = 0; i < 5; i++) expect((await verifier.verify(t)).claims.oid).toBe('user-1');
    expect(resolver.lookups).toBe(1);
    // A different token (even for the same user) is checked on its own.
    await verifier.verify(await token('2h'));
    expect(resolver.lookups).toBe(2);
  });

  it('never trusts a tampered copy of a cached token', async () => {
    const verifier = createVerifier({ issuer: ISSUER, audiences: [AUDIENCE], keys: countingKeys() });
    const t = await token();
    await verifier.verify(t);
    const [header, , signature] = t.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ oid: 'admin', iss: ISSUER, aud: AUDIENCE, iat: 1, exp: 4102444800 })).toString('base64url')}.${signature}`;
    await expect(verifier.verify(forged)).rejects.toThrow(TokenError);
  });

  it('stops trusting a cached token once it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const resolver = countingKeys();
    const verifier = createVerifier({ issuer: ISSUER, audiences: [AUDIENCE], keys: resolver, clockToleranceSeconds: 0 });
    const t = await token('30s');
    await verifier.verify(t);
    vi.setSystemTime(Date.now() + 31_000);
    await expect(verifier.verify(t)).rejects.toThrow(/expired/);
  });

  it('checks a cached token again after a minute', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const resolver = countingKeys();
    const verifier = createVerifier({ issuer: ISSUER, audiences: [AUDIENCE], keys: resolver });
    const t = await token();
    await verifier.verify(t);
    vi.setSystemTime(Date.now() + 61_000);
    await verifier.verify(t);
    expect(resolver.lookups).toBe(2);
  });

  it('refuses a cached token once its key is withdrawn from the issuer\'s set', async () => {
    const resolver = countingKeys();
    const verifier = createVerifier({ issuer: ISSUER, audiences: [AUDIENCE], keys: resolver });
    const t = await token();
    await verifier.verify(t);
    await verifier.verify(t);
    resolver.withdraw();
    await expect(verifier.verify(t)).rejects.toThrow(/unknown key/);
  });

  it('verifies every presentation when the cache is off', async () => {
    const resolver = countingKeys();
    const verifier = createVerifier({ issuer: ISSUER, audiences: [AUDIENCE], keys: resolver, cacheEntries: 0 });
    const t = await token();
    await verifier.verify(t);
    await verifier.verify(t);
    expect(resolver.lookups).toBe(2);
  });
});
