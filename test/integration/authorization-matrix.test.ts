import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateSigningKey } from '../../src/auth/dev-issuer.js';
import { ARM_PERMISSIONS, GRAPH_PERMISSIONS, type Permission, SIGNOFF_API_PERMISSIONS, routeKey } from '../../src/auth/permissions.js';
import type { ApiErrorCode } from '../../src/http/api-error.js';
import { ARM_ERRORS } from '../../src/http/arm/arm-errors.js';
import { ARM_OPERATIONS } from '../../src/http/arm/arm-operations.js';
import { GRAPH_ERRORS } from '../../src/http/graph/graph-errors.js';
import { DEMO } from '../support/demo.js';
import { type ApiResponse, activationBody } from '../support/http.js';
import { registeredRoutes } from '../support/routes.js';
import { useTestServer } from '../support/server-fixture.js';
import { type TestServer, testStores } from '../support/test-server.js';
import { newKey, nowSeconds, signToken, tamperedToken, unsignedToken } from '../support/tokens.js';

type Dialect = 'graph' | 'arm';

interface MatrixRoute {
  readonly name: string;
  readonly dialect: Dialect;
  readonly method: string;
  readonly path: string;
  readonly permission: Permission | undefined;
}

const PLACEHOLDER = 'a0000000-0000-4000-8000-00000000000a';
const APP_ID = 'c0ffee00-0000-4000-8000-0000000000a1';

/** The dialect's table for a registered URL, and the key the permission hooks look it up by. */
function tableFor(url: string): { table: Readonly<Record<string, Permission>>; path: string } | null {
  const graph = /^\/(beta|v1\.0)(\/.*)$/.exec(url);
  if (graph) return { table: GRAPH_PERMISSIONS, path: graph[2]! };
  if (url.startsWith('/signoff/v1/')) return { table: SIGNOFF_API_PERMISSIONS, path: url.slice('/signoff/v1'.length) };
  return null;
}

/** Graph and Signoff routes as the server registered them, with ids filled in; ARM operations from its table. */
function matrixRoutes(server: TestServer): MatrixRoute[] {
  const routed = registeredRoutes(server.running.app).filter((r) => r.method !== 'HEAD').flatMap((r): MatrixRoute[] => {
    const found = tableFor(r.url);
    if (!found) return [];
    const child = r.url.startsWith('/v1.0/') ? 'stages' : 'steps';
    const path = r.url.replace(':child', child).replace(/:\w+/g, PLACEHOLDER);
    return [{ name: `${r.method} ${r.url}`, dialect: 'graph', method: r.method, path, permission: found.table[routeKey(r.method, found.path)] }];
  });
  const arm = ARM_OPERATIONS.map((op): MatrixRoute => {
    const scope = op.tenantOnly ? '' : DEMO.azure.subscriptionScope;
    const rest = op.path.split('/').map((part) => (part.startsWith('{') ? PLACEHOLDER : part.split('|')[0])).join('/');
    return {
      name: op.operationId, dialect: 'arm', method: op.method,
      path: `${scope}/providers/Microsoft.Authorization/${rest}?api-version=${op.apiVersions[0]}`, permission: ARM_PERMISSIONS[op.operationId],
    };
  });
  return [...routed, ...arm];
}

const catalogue = (dialect: Dialect) => (dialect === 'arm' ? ARM_ERRORS : GRAPH_ERRORS);

function expectRefusal(route: MatrixRoute, res: ApiResponse, code: ApiErrorCode, why: string): void {
  const entry = catalogue(route.dialect)[code];
  expect({ why, route: route.name, status: res.status, code: res.body?.error?.code }).toEqual({ why, route: route.name, status: entry.status, code: entry.code });
}

/** Past authentication and the permission table: whatever the route answers, it is not a refusal of the token. */
function expectAdmitted(route: MatrixRoute, res: ApiResponse, why: string): void {
  const refused = [401, 429].includes(res.status) || res.status >= 500 || res.body?.error?.code === catalogue(route.dialect).MISSING_PERMISSION.code;
  expect({ why, route: route.name, refused, answer: refused ? res.text : '' }).toEqual({ why, route: route.name, refused: false, answer: '' });
}

/** Row counts of every table: equal before and after means no refusal wrote anything. */
async function storeFingerprint(server: TestServer): Promise<Record<string, number>> {
  const db = server.running.services.store.db;
  const tables = (await db.introspection.getTables()).map((t) => t.name).filter((n) => !/migration/i.test(n)).sort();
  const counts: Record<string, number> = {};
  for (const name of tables) {
    const row = await db.selectFrom(name as never).select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
    counts[name] = Number((row as { n: string | number }).n);
  }
  return counts;
}

describe.each(testStores())('authorization matrix (%s store)', (store) => {
  const signoff = useTestServer({ store });
  let routes: MatrixRoute[];
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    routes = matrixRoutes(signoff.server);
    // Variants of a real dev token, signed with the dev issuer's own key unless the point is otherwise.
    const key = await loadOrCreateSigningKey(signoff.server.running.services.store);
    const base = decodeJwt(await signoff.api.token('admin'));
    const now = nowSeconds();
    const signed = (changes: object) => signToken(key, { ...base, ...changes });
    const applicationClaims = { ...base, oid: APP_ID, sub: APP_ID, azp: APP_ID, idtyp: 'app', scp: undefined, upn: undefined, preferred_username: undefined, name: undefined };
    const allApplicationRoles = [...new Set([GRAPH_PERMISSIONS, SIGNOFF_API_PERMISSIONS, ARM_PERMISSIONS].flatMap((t) => Object.values(t).flatMap((p) => p.application ?? [])))];
    Object.assign(tokens, {
      expired: await signed({ iat: now - 7200, nbf: now - 7200, exp: now - 3600 }),
      'other issuer': await signed({ iss: 'https://issuer.example.net' }),
      'other audience': await signed({ aud: 'api://another-service' }),
      'alg none': unsignedToken(base),
      'tampered signature': tamperedToken(await signoff.api.token('dave'), { oid: DEMO.users.admin, sub: DEMO.users.admin }),
      'unknown kid': await signToken(await newKey('not-published'), base),
      'missing scope': await signed({ scp: 'openid profile' }),
      'app without the role': await signToken(key, { ...applicationClaims, roles: ['Sites.Read.All'] }),
      'app with the roles': await signToken(key, { ...applicationClaims, roles: allApplicationRoles }),
    });
  });

  it('has a permission for every route the server registered, and no entry for a route that does not exist', () => {
    const graphAndSignoff = routes.filter((r) => r.dialect === 'graph');
    expect(graphAndSignoff.length).toBeGreaterThan(80);
    expect(graphAndSignoff.filter((r) => !r.permission).map((r) => r.name)).toEqual([]);
    const served = new Set(registeredRoutes(signoff.server.running.app).flatMap((r) => {
      const found = tableFor(r.url);
      return found ? [`${found.table === GRAPH_PERMISSIONS ? 'graph' : 'signoff'} ${routeKey(r.method, found.path)}`] : [];
    }));
    const stale = [
      ...Object.keys(GRAPH_PERMISSIONS).map((k) => `graph ${k}`),
      ...Object.keys(SIGNOFF_API_PERMISSIONS).map((k) => `signoff ${k}`),
    ].filter((k) => !served.has(k));
    expect(stale).toEqual([]);
    expect(ARM_OPERATIONS.filter((op) => !ARM_PERMISSIONS[op.operationId]).map((op) => op.operationId)).toEqual([]);
  });

  it('refuses every route without a valid token (401), or without a permission that opens it (403), and writes nothing', async () => {
    const invalid = ['expired', 'other issuer', 'other audience', 'alg none', 'tampered signature', 'unknown kid'];
    const before = await storeFingerprint(signoff.server);
    for (const [i, route] of routes.entries()) {
      // Each route meets "no token" and one forged token; across the routes of each dialect every forgery is met.
      const forged = invalid[i % invalid.length]!;
      expectRefusal(route, await signoff.api.call(route.method, route.path, { token: null }), 'UNAUTHENTICATED', 'no token');
      expectRefusal(route, await signoff.api.call(route.method, route.path, { token: tokens[forged] }), 'UNAUTHENTICATED', forged);
      for (const weak of ['missing scope', 'app without the role']) {
        const res = await signoff.api.call(route.method, route.path, { token: tokens[weak] });
        // `$batch` checks nothing itself: each request inside it meets its own route's permission.
        if (route.permission?.anyCaller) expectAdmitted(route, res, weak);
        else expectRefusal(route, res, 'MISSING_PERMISSION', weak);
      }
    }
    expect(await storeFingerprint(signoff.server)).toEqual(before);
  });

  it('admits an administrator on every route, and an application wherever Microsoft offers an application permission', async () => {
    for (const route of routes) {
      expectAdmitted(route, await signoff.api.call(route.method, route.path, { as: 'admin' }), 'admin');
      const asApp = await signoff.api.call(route.method, route.path, { token: tokens['app with the roles'] });
      if (route.permission?.application === null) expectRefusal(route, asApp, 'MISSING_PERMISSION', 'app where not supported');
      else expectAdmitted(route, asApp, 'app with the roles');
    }
  });

  it('names what is missing in the refusal', async () => {
    const res = await signoff.api.call('GET', '/v1.0/users', { token: tokens['missing scope'] });
    expect(res.body.error.message).toContain('User.Read.All');
    const arm = await signoff.api.call('GET', `${DEMO.azure.subscriptionScope}/providers/Microsoft.Authorization/roleAssignmentApprovals?api-version=2021-01-01-preview`, { token: tokens['missing scope'] });
    expect(arm.body.error.message).toContain('user_impersonation');
    const decidePath = `/beta/roleManagement/directory/roleAssignmentApprovals/${PLACEHOLDER}/steps/${PLACEHOLDER}`;
    const decide = await signoff.api.call('PATCH', decidePath, { token: tokens['app with the roles'], body: {} });
    expect(decide.body.error.message).toMatch(/does not support application permissions/);
    // The operation is named by the path as the caller sent it, not by the router's pattern.
    expect(decide.body.error.message).toContain(`PATCH ${decidePath} `);
    expect(decide.body.error.message).not.toContain(':id');
  });

  type Identity = 'requestor' | 'non-approver' | 'admin' | 'app' | 'approver';
  const IDENTITIES: Record<Exclude<Identity, 'app'>, string> = { requestor: 'alice', 'non-approver': 'dave', admin: 'admin', approver: 'bob' };

  it('decides who may read and decide a pending approval and change the directory, and nothing else changes on a refusal', async () => {
    const created = await signoff.api.post('/beta/roleManagement/directory/roleAssignmentScheduleRequests', activationBody(DEMO.roles.userAdministrator, DEMO.users.alice), 'alice');
    expect(created.status, created.text).toBe(201);
    const approval = `/beta/roleManagement/directory/roleAssignmentApprovals/${created.body.id}`;
    const [step] = (await signoff.api.get(`${approval}/steps`, 'bob')).body.value;
    const newUser = (who: string) => ({ accountEnabled: true, displayName: `Made by ${who}`, mailNickname: who.replace(/\W/g, ''), userPrincipalName: `made-by-${who.replace(/\W/g, '')}@contoso.com`, passwordProfile: { password: 'unused' } });

    // One row per operation, one column per identity; columns run left to right, so the approver decides last.
    const rows: Array<{ method: string; path: string; body?: (who: Identity) => object; expect: Record<Identity, number> }> = [
      { method: 'GET', path: approval, expect: { requestor: 200, 'non-approver': 403, admin: 200, app: 403, approver: 200 } },
      { method: 'GET', path: `${approval}/steps`, expect: { requestor: 200, 'non-approver': 403, admin: 200, app: 403, approver: 200 } },
      { method: 'POST', path: '/v1.0/users', body: newUser, expect: { requestor: 403, 'non-approver': 403, admin: 201, app: 201, approver: 403 } },
      {
        method: 'PATCH', path: `${approval}/steps/${step.id}`, body: () => ({ reviewResult: 'Approve', justification: 'Checked the ticket' }),
        expect: { requestor: 403, 'non-approver': 403, admin: 403, app: 403, approver: 204 },
      },
    ];
    for (const row of rows) {
      for (const [who, status] of Object.entries(row.expect) as Array<[Identity, number]>) {
        const before = status >= 400 ? await storeFingerprint(signoff.server) : null;
        const auth = who === 'app' ? { token: tokens['app with the roles'] } : { as: IDENTITIES[who] };
        const res = await signoff.api.call(row.method, row.path, { ...auth, ...(row.body ? { body: row.body(who) } : {}) });
        expect({ row: `${row.method} ${row.path}`, who, status: res.status }, res.text).toEqual({ row: `${row.method} ${row.path}`, who, status });
        if (before) expect(await storeFingerprint(signoff.server)).toEqual(before);
      }
    }
    expect((await signoff.api.get(approval, 'alice')).body.steps[0].reviewResult).toBe('Approved');
  });
});
