import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_DEV_SCOPES } from '../../src/auth/dev-issuer.js';
import { DEMO } from '../support/demo.js';
import { expectArmError } from '../support/arm-errors.js';
import { expectGraphError } from '../support/graph-errors.js';
import { Api } from '../support/http.js';
import { OidcProvider } from '../support/oidc-provider.js';
import { useTestServer } from '../support/server-fixture.js';
import { startTestServer } from '../support/test-server.js';
import { nowSeconds, tamperedToken, unsignedToken } from '../support/tokens.js';

const AUDIENCE = 'api://signoff-external-test';
const SCOPES = ALL_DEV_SCOPES.join(' ');
const { alice, bob } = DEMO.users;

type SigningKey = Awaited<ReturnType<OidcProvider['addKey']>>;

/**
 * An issuer with one key and a server trusting it; no cooldown between key-set refetches, so a
 * rotation shows at once without waiting in real time.
 */
function useExternalIssuer() {
  const issuer = { provider: undefined as unknown as OidcProvider, first: undefined as unknown as SigningKey };
  beforeAll(async () => {
    issuer.provider = await OidcProvider.start();
    issuer.first = await issuer.provider.addKey('key-1');
  });
  afterAll(async () => issuer.provider?.close());
  const signoff = useTestServer(() => ({ env: { SIGNOFF_OIDC_ISSUER: issuer.provider.issuer, SIGNOFF_OIDC_AUDIENCE: AUDIENCE, SIGNOFF_OIDC_JWKS_COOLDOWN_MS: '0' } }));
  return { issuer, signoff };
}

describe('an external OpenID issuer', () => {
  let provider: OidcProvider;
  let first: SigningKey;
  const { issuer, signoff } = useExternalIssuer();
  beforeAll(() => { ({ provider, first } = issuer); });

  const me = (token: string) => signoff.api.call('GET', '/v1.0/me', { token });
  const userToken = (claims: Record<string, unknown> = {}, key = first) => provider.token(key, AUDIENCE, { oid: alice, sub: 'alice-subject', scp: SCOPES, ...claims });

  it('accepts its tokens and caches its keys', async () => {
    const fetchesBefore = provider.jwksFetches;
    for (let i = 0; i < 3; i++) {
      const res = await me(await userToken());
      expect(res.status, res.text).toBe(200);
      expect(res.body.id).toBe(alice);
    }
    expect(provider.jwksFetches - fetchesBefore).toBeLessThanOrEqual(1);
  });

  it('refuses a wrong issuer or audience, a lapsed or early token beyond the clock skew, and unsigned or forged tokens', async () => {
    const now = nowSeconds();
    const refused: Array<[string, string]> = [
      ['other issuer', await provider.token(first, AUDIENCE, { iss: 'https://login.example.net', oid: alice, scp: SCOPES })],
      ['other audience', await provider.token(first, 'api://someone-else', { oid: alice, scp: SCOPES })],
      ['expired', await userToken({ iat: now - 7200, exp: now - 300 })],
      ['not yet valid', await userToken({ nbf: now + 600 })],
      ['alg none', unsignedToken({ iss: provider.issuer, aud: AUDIENCE, oid: alice, scp: SCOPES, iat: now, exp: now + 3600 })],
      ['tampered', tamperedToken(await userToken(), { oid: bob })],
      // HS256 "signed" with the issuer's public key, the classic confusion: symmetric algorithms are never accepted.
      ['HS256', await new SignJWT({ iss: provider.issuer, aud: AUDIENCE, oid: alice, scp: SCOPES }).setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
        .setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(JSON.stringify(first.publicJwk)))],
    ];
    for (const [why, token] of refused) {
      const res = await me(token);
      expect({ why, status: res.status }).toEqual({ why, status: 401 });
      expectGraphError(res, 'UNAUTHENTICATED');
    }
    expect((await me(await userToken({ iat: now - 7200, exp: now - 300 }))).body.error.message).toMatch(/expired/);
    // Within the skew both ways: a token that lapsed seconds ago, and one from a clock a little ahead.
    expect((await me(await userToken({ iat: now - 3600, exp: now - 20 }))).status).toBe(200);
    expect((await me(await userToken({ nbf: now + 20 }))).status).toBe(200);
  });

  it('maps oid, then sub, then the sign-in name to a directory user, and refuses an unknown subject with 403 on Graph and ARM', async () => {
    const byName = await me(await provider.token(first, AUDIENCE, { sub: 'opaque-subject-42', preferred_username: 'bob@contoso.com', scp: SCOPES }));
    expect(byName.body.id).toBe(bob);
    const nobody = await provider.token(first, AUDIENCE, { sub: 'opaque-subject-43', preferred_username: 'mallory@contoso.com', scp: SCOPES });
    const unknown = await me(nobody);
    expectGraphError(unknown, 'UNKNOWN_CALLER');
    expect(unknown.body.error.message).toMatch(/not a user in this directory/);
    // The token is valid, so neither API answers 401 and asks for another one.
    const arm = await signoff.api.call('GET', '/providers/Microsoft.Authorization/roleAssignmentApprovals?api-version=2021-01-01-preview', { token: nobody });
    expectArmError(arm, 'UNKNOWN_CALLER');
    expect([unknown.status, arm.status]).toEqual([403, 403]);
  });

  it('reads a sign-in name claim as a user principal name only, never as an object id', async () => {
    // An issuer that lets people pick their user name (self-registration) must not let one named
    // like an administrator's object id, which any reader of approvals sees, sign in as them.
    const impostor = await provider.token(first, AUDIENCE, { sub: 'opaque-subject-44', preferred_username: DEMO.users.admin, upn: DEMO.users.admin.toUpperCase(), scp: SCOPES });
    expectGraphError(await me(impostor), 'UNKNOWN_CALLER');
    const arm = await signoff.api.call('GET', '/providers/Microsoft.Authorization/roleAssignmentApprovals?api-version=2021-01-01-preview', { token: impostor });
    expectArmError(arm, 'UNKNOWN_CALLER');
    // An object id in `oid` or `sub` still names its user.
    expect((await me(await provider.token(first, AUDIENCE, { sub: bob, scp: SCOPES }))).body.id).toBe(bob);
  });

  it('accepts a new key once the issuer publishes it, and refuses the old one once it is removed', async () => {
    const oldToken = await userToken();
    const second = await provider.addKey('key-2');
    provider.removeKey('key-1');
    const rotated = await me(await userToken({}, second));
    expect(rotated.status, rotated.text).toBe(200);
    const old = await me(oldToken);
    expectGraphError(old, 'UNAUTHENTICATED');
    expect(old.body.error.message).toMatch(/unknown key/);
    expect((await me(await userToken({}, second))).status).toBe(200);
  });

  it('serves no dev endpoints and publishes no issuer of its own', async () => {
    for (const [method, path] of [['POST', '/dev/token'], ['GET', '/dev/clock'], ['POST', '/dev/clock'], ['POST', '/dev/reset'], ['GET', '/.well-known/openid-configuration']] as const) {
      const res = await signoff.api.call(method, path, { body: method === 'POST' ? { username: 'alice@contoso.com' } : undefined });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
  });
});

describe('an external issuer whose key set cannot be read', () => {
  let provider: OidcProvider;
  let first: SigningKey;
  const { issuer, signoff } = useExternalIssuer();
  beforeAll(() => { ({ provider, first } = issuer); });
  const userToken = (key: typeof first) => provider.token(key, AUDIENCE, { oid: alice, scp: SCOPES });

  it('answers 503 with Retry-After, not 401, while the key set answers an error or something that is not a key set', async () => {
    const known = await userToken(first);
    expect((await signoff.api.call('GET', '/v1.0/me', { token: known })).status).toBe(200);
    // Signed with a key the issuer has just rotated in, so Signoff must fetch the set again.
    const rotated = await userToken(await provider.addKey('key-2'));
    for (const fault of ['status', 'garbage'] as const) {
      provider.jwksFault = fault;
      const graph = await signoff.api.call('GET', '/v1.0/me', { token: rotated });
      expectGraphError(graph, 'ISSUER_UNAVAILABLE');
      expect({ fault, retryAfter: graph.headers.get('retry-after') }).toEqual({ fault, retryAfter: '1' });
      const arm = await signoff.api.call('GET', '/providers/Microsoft.Authorization/roleAssignmentApprovals?api-version=2021-01-01-preview', { token: rotated });
      expectArmError(arm, 'ISSUER_UNAVAILABLE');
    }
    // Keys already held still verify, and the rotated-in key works once the set is readable again.
    expect((await signoff.api.call('GET', '/v1.0/me', { token: known })).status).toBe(200);
    provider.jwksFault = null;
    expect((await signoff.api.call('GET', '/v1.0/me', { token: rotated })).status).toBe(200);
  });
});

describe('an external issuer whose discovery document names another issuer', () => {
  it('stops the start with a message naming both', async () => {
    const provider = await OidcProvider.start('https://login.example.net/other');
    try {
      await expect(startTestServer({ env: { SIGNOFF_OIDC_ISSUER: provider.issuer, SIGNOFF_OIDC_AUDIENCE: AUDIENCE } })).rejects.toThrow(/names the issuer 'https:\/\/login\.example\.net\/other', not 'http:\/\/127\.0\.0\.1/);
    } finally {
      await provider.close();
    }
  });
});

describe('an external issuer that cannot be discovered', () => {
  it('stops the start with a message naming the discovery address and what went wrong', async () => {
    const provider = await OidcProvider.start();
    const discovery = `${provider.issuer}/.well-known/openid-configuration`;
    try {
      provider.discoveryGarbage = true;
      await expect(startTestServer({ env: { SIGNOFF_OIDC_ISSUER: provider.issuer } })).rejects.toThrow(`OIDC discovery at ${discovery} answered something that is not JSON.`);
    } finally {
      await provider.close();
    }
    // Nothing listens there any more.
    await expect(startTestServer({ env: { SIGNOFF_OIDC_ISSUER: provider.issuer } })).rejects.toThrow(new RegExp(`^OIDC discovery at ${discovery.replace(/[.]/g, '\\.')} could not be fetched: .*ECONNREFUSED`));
  });
});

describe('an external issuer with configured subject claims', () => {
  it('finds the caller by the configured claims only', async () => {
    const provider = await OidcProvider.start();
    const key = await provider.addKey('key-1');
    const server = await startTestServer({ env: { SIGNOFF_OIDC_ISSUER: provider.issuer, SIGNOFF_OIDC_AUDIENCE: AUDIENCE, SIGNOFF_OIDC_SUBJECT_CLAIMS: 'email' } });
    try {
      const api = new Api(server.url);
      const byEmail = await api.call('GET', '/v1.0/me', { token: await provider.token(key, AUDIENCE, { email: 'carol@contoso.com', oid: alice, scp: SCOPES }) });
      expect(byEmail.body.id).toBe(DEMO.users.carol);
      // `oid` names alice, but only `email` is consulted here.
      expectGraphError(await api.call('GET', '/v1.0/me', { token: await provider.token(key, AUDIENCE, { oid: alice, scp: SCOPES }) }), 'UNKNOWN_CALLER');
    } finally {
      await server.destroy();
      await provider.close();
    }
  });
});
