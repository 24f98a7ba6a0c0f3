import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALL_DEV_SCOPES } from '../../src/auth/dev-issuer.js';
import { contentSecurityPolicy } from '../../src/web/serve-web.js';
import { browserWindows, inboxViews, launchChromium, nameOf } from '../support/browser.js';
import { DEMO } from '../support/demo.js';
import { activationBody } from '../support/http.js';
import { OidcProvider } from '../support/oidc-provider.js';
import { useTestServer } from '../support/server-fixture.js';
import { startTestServer } from '../support/test-server.js';

const AUDIENCE = 'api://signoff-e2e';
const CLIENT_ID = 'signoff-inbox';
const SCOPES = ALL_DEV_SCOPES.join(' ');
const ROLE_REQUESTS = '/beta/roleManagement/directory/roleAssignmentScheduleRequests';

let browser: Browser;
let provider: OidcProvider;
const { contexts, pageErrors, openPage } = browserWindows(() => browser);
/** Every request the pages made to Signoff's dev endpoints: none may happen in this mode. */
const devCalls: string[] = [];

beforeAll(async () => {
  provider = await OidcProvider.start();
  provider.client = { clientId: CLIENT_ID, audience: AUDIENCE, key: await provider.addKey('key-1') };
});

afterAll(async () => {
  await provider?.close();
});

const signoff = useTestServer(() => ({
  env: { SIGNOFF_OIDC_ISSUER: provider.issuer, SIGNOFF_OIDC_AUDIENCE: AUDIENCE, SIGNOFF_OIDC_CLIENT_ID: CLIENT_ID, SIGNOFF_OIDC_SCOPES: `openid profile ${AUDIENCE}/.default` },
}));
const { inboxCard } = inboxViews(() => signoff.server.url);

beforeAll(async () => {
  browser = await launchChromium();
  // Alice asks for a role bob approves, with a token from the same issuer.
  const aliceToken = await provider.token(provider.client!.key, AUDIENCE, { oid: DEMO.users.alice, scp: SCOPES });
  const created = await signoff.api.call('POST', ROLE_REQUESTS, { token: aliceToken, body: activationBody(DEMO.roles.userAdministrator, DEMO.users.alice) });
  expect(created.status, created.text).toBe(201);
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
  expect(pageErrors.splice(0)).toEqual([]);
  expect(devCalls.splice(0)).toEqual([]);
});

async function signInPage(): Promise<Page> {
  const page = await openPage();
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/dev/token')) devCalls.push(request.url());
  });
  await page.goto(signoff.server.url);
  return page;
}

const signInButton = (page: Page) => page.getByRole('button', { name: `Sign in with ${new URL(provider.issuer).host}` });

describe('the web inbox with an external OpenID issuer, in Chromium', () => {
  it('tells the page and the CLI where to sign in, lets the page call only that token endpoint, and has no dev sign-in', async () => {
    const config = await signoff.api.call('GET', '/web/config.json');
    expect(config.body).toEqual({
      mode: 'oidc', issuer: provider.issuer, clientId: CLIENT_ID, scopes: `openid profile ${AUDIENCE}/.default`,
      authorizationEndpoint: `${provider.issuer}/authorize`, tokenEndpoint: `${provider.issuer}/token`, deviceAuthorizationEndpoint: `${provider.issuer}/device`,
    });
    const page = await fetch(`${signoff.server.url}/`);
    expect(page.headers.get('content-security-policy')).toBe(contentSecurityPolicy([provider.issuer]));
    expect(page.headers.get('content-security-policy')).toContain(`connect-src 'self' ${provider.issuer};`);
    expect((await signoff.api.call('POST', '/dev/token', { body: { username: 'bob@contoso.com' } })).status).toBe(404);
  });

  it('signs bob in through the issuer with PKCE and lands him in his inbox with his pending item', async () => {
    provider.signInAs = { oid: DEMO.users.bob, scp: SCOPES };
    const page = await signInPage();
    expect(await page.getByRole('button', { name: /@contoso.com/ }).count()).toBe(0);
    await signInButton(page).click();
    await expect.poll(() => page.getByText('Signed in as').textContent()).toContain(nameOf('bob'));
    // The code is gone from the address and nothing of the sign-in is left but the session.
    expect(new URL(page.url()).search).toBe('');
    expect(await page.evaluate(() => sessionStorage.getItem('signoff.oidc.pending'))).toBeNull();
    const card = await inboxCard(page, 'User Administrator');
    await expect.poll(() => card.textContent()).toContain('Alice Requestor');
  });

  it('refuses a code redeemed with another PKCE verifier', async () => {
    provider.signInAs = { oid: DEMO.users.bob, scp: SCOPES };
    const page = await signInPage();
    await page.route(`${provider.issuer}/token`, (route) => {
      const form = new URLSearchParams(route.request().postData() ?? '');
      form.set('code_verifier', 'x'.repeat(64));
      return route.continue({ postData: form.toString() });
    });
    await signInButton(page).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/refused to finish signing in: PKCE verification failed/);
    expect(await page.getByText('Signed in as').count()).toBe(0);
    await signInButton(page).waitFor();
  });

  it('ignores an answer to a sign-in this tab did not start (state mismatch)', async () => {
    const page = await signInPage();
    await page.goto(`${signoff.server.url}/?code=stolen-code&state=forged`);
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/state mismatch/);
    expect(new URL(page.url()).search).toBe('');
    expect(await page.getByText('Signed in as').count()).toBe(0);
  });

  it('says so when the person declines at the issuer', async () => {
    provider.signInAs = null;
    const page = await signInPage();
    await signInButton(page).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/cancelled or refused at the identity provider: The user declined/);
    expect(await page.getByText('Signed in as').count()).toBe(0);
  });

  it('without a client registered at the issuer, says so instead of offering a sign-in that cannot work', async () => {
    const bare = await startTestServer({ env: { SIGNOFF_OIDC_ISSUER: provider.issuer, SIGNOFF_OIDC_AUDIENCE: AUDIENCE } });
    try {
      expect((await fetch(`${bare.url}/`)).headers.get('content-security-policy')).toBe(contentSecurityPolicy());
      const page = await openPage();
      await page.goto(bare.url);
      await page.getByText('no client is registered for the inbox there').waitFor();
      expect(await page.getByRole('button', { name: /Sign in/ }).count()).toBe(0);
    } finally {
      await bare.destroy();
    }
  });
});
