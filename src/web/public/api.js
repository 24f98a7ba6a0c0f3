/** Signoff's own Graph API, same origin, with the signed-in user's bearer token. */

const SESSION_KEY = 'signoff.session';
const MAX_PAGES = 20;

export class ApiFailure extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The token lives in sessionStorage: it ends with the tab and never reaches other sites. */
export function currentSession() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
    return stored && typeof stored.token === 'string' && stored.user ? stored : null;
  } catch {
    return null;
  }
}

export function signOut() {
  sessionStorage.removeItem(SESSION_KEY);
  lookups.clear();
}

async function readJson(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

async function send(method, path, body, token) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const parsed = await readJson(response);
  if (!response.ok) {
    const error = parsed?.error ?? {};
    // An expired or rejected token: back to sign-in rather than a page of errors.
    if (response.status === 401 && token) {
      signOut();
      window.dispatchEvent(new CustomEvent('signoff:signed-out', { detail: error.message ?? 'Your session ended.' }));
    }
    throw new ApiFailure(response.status, error.code ?? 'error', error.message ?? `The server answered ${response.status} ${response.statusText}.`);
  }
  return parsed;
}

/** Dev mode only: a token for a directory user, then who that user is. */
export async function signIn(username) {
  let token;
  try {
    token = (await send('POST', '/dev/token', { username })).access_token;
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 404 && error.code !== 'Request_ResourceNotFound') {
      throw new ApiFailure(404, 'noDevSignIn', 'This server signs users in through its identity provider; demo sign-in is off.');
    }
    throw error;
  }
  return establishSession(token);
}

/** Who the token belongs to, kept with the token for this tab. */
export async function establishSession(token) {
  const me = await send('GET', '/v1.0/me', undefined, token);
  const session = { token, user: { id: me.id, displayName: me.displayName, userPrincipalName: me.userPrincipalName } };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  lookups.clear();
  return session;
}

/** How this server signs people in: `{ mode: 'dev' }` or its identity provider's endpoints. */
export async function signInSettings() {
  try {
    const response = await fetch('/web/config.json', { headers: { accept: 'application/json' } });
    if (response.ok) return await response.json();
  } catch {
    // An older server or a network hiccup: dev sign-in explains itself if it is off.
  }
  return { mode: 'dev' };
}

export function graph(method, path, body) {
  const session = currentSession();
  if (!session) return Promise.reject(new ApiFailure(401, 'signedOut', 'You are signed out.'));
  return send(method, path, body, session.token);
}

/** A collection with its following pages (bounded: an inbox is read by a person, not exported). */
export async function list(path) {
  const items = [];
  let next = path;
  for (let page = 0; next && page < MAX_PAGES; page++) {
    const body = await graph('GET', next);
    items.push(...(body?.value ?? []));
    // Graph names the next page `@odata.nextLink`, ARM `nextLink`.
    const link = body?.['@odata.nextLink'] ?? body?.nextLink;
    // Stay on this origin even if the server names itself differently (a proxy, a public URL).
    next = link ? (({ pathname, search }) => pathname + search)(new URL(link, location.href)) : null;
  }
  return items;
}

/** A 404 means "not there" (or an API this server does not offer yet): null / empty, not a failure. */
export async function optional(read) {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 404) return null;
    throw error;
  }
}

const lookups = new Map();

/** Names rarely change within a session: each is asked for once. */
function cached(key, load) {
  if (!lookups.has(key)) {
    const pending = load().catch((error) => {
      lookups.delete(key);
      throw error;
    });
    lookups.set(key, pending);
  }
  return lookups.get(key);
}

export function userName(id) {
  if (!id) return Promise.resolve('Unknown user');
  return cached(`user:${id}`, async () => (await optional(() => graph('GET', `/v1.0/users/${encodeURIComponent(id)}`)))?.displayName ?? id);
}

export function roleDefinitions() {
  return cached('roles', async () => new Map((await list('/beta/roleManagement/directory/roleDefinitions')).map((r) => [r.id, r.displayName])));
}

export async function roleName(id) {
  return (await roleDefinitions()).get(id) ?? id;
}

export function groupName(id) {
  if (!id) return Promise.resolve('Unknown group');
  return cached(`group:${id}`, async () => (await optional(() => graph('GET', `/v1.0/groups/${encodeURIComponent(id)}`)))?.displayName ?? id);
}

export function accessPackageName(id) {
  if (!id) return Promise.resolve('Unknown access package');
  return cached(`package:${id}`, async () => (await optional(() => graph('GET', `/beta/identityGovernance/entitlementManagement/accessPackages/${encodeURIComponent(id)}`)))?.displayName ?? id);
}

/** Approvals follow Signoff's clock, which the dev clock may have moved ahead of this browser's. */
export async function serverNow() {
  try {
    const response = await fetch('/dev/clock', { headers: { accept: 'application/json' } });
    if (response.ok) {
      const body = await response.json();
      const now = Date.parse(body?.now);
      if (!Number.isNaN(now)) return now;
    }
  } catch {
    // Not in dev mode or not reachable: the browser's clock is the best guess.
  }
  return Date.now();
}
