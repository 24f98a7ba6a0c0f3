import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src/web/serve-web.js';
import { expectNoSeriousAxeViolations, nameOf, useInboxInChromium } from '../support/browser.js';
import { DEMO } from '../support/demo.js';
import { activationBody } from '../support/http.js';

const SCREENSHOTS = process.env.SIGNOFF_SCREENSHOTS === '1' ? join(process.cwd(), 'docs', 'screenshots') : null;
const ROLE_REQUESTS = '/beta/roleManagement/directory/roleAssignmentScheduleRequests';

// A fresh tenant per scenario: one alice request per role may be open at a time.
const { signoff, pageErrors, openPage, show, signInAs, inboxCard, decideInUi, raceBobInTwoWindows } = useInboxInChromium();

beforeAll(() => {
  if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
});

async function requestViaApi(roleDefinitionId: string): Promise<string> {
  const res = await signoff.api.post(ROLE_REQUESTS, activationBody(roleDefinitionId, DEMO.users.alice), 'alice');
  expect(res.status).toBe(201);
  return res.body.id;
}

async function myRequestStatus(page: Page, role: string): Promise<string> {
  await show(page, '#/requests');
  const card = page.getByRole('article').filter({ has: page.getByRole('heading', { name: role, exact: true }) });
  await card.waitFor();
  return (await card.locator('.pill').textContent()) ?? '';
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

describe('the web inbox, in Chromium', () => {
  it('serves its files with their content types, a strict CSP and revalidation by ETag', async () => {
    const page = await fetch(`${signoff.server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);

    const script = await fetch(`${signoff.server.url}/web/app.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const again = await fetch(`${signoff.server.url}/web/app.js`, { headers: { 'if-none-match': script.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect((await fetch(`${signoff.server.url}/web/style.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${signoff.server.url}/web/missing.js`)).status).toBe(404);
  });

  it('alice requests User Administrator, bob approves in his inbox, alice sees it granted', async () => {
    const alice = await openPage({ axe: true });
    await alice.goto(signoff.server.url);
    await screenshot(alice, 'sign-in');
    await expectNoSeriousAxeViolations(alice);
    await signInAs(alice, 'alice');

    await alice.goto(`${signoff.server.url}/#/requests`);
    const form = alice.locator('form.request-form');
    await form.getByLabel('What you need').selectOption({ label: 'User Administrator' });
    await form.getByLabel(/Duration/).selectOption({ label: '2 hours' });
    await form.getByLabel('Justification').fill('Reset a locked-out account');
    await form.getByLabel(/Ticket number/).fill('INC-42');
    await form.getByRole('button', { name: 'Send request' }).click();
    await alice.getByRole('status').filter({ hasText: 'Request for User Administrator sent: Pending approval' }).first().waitFor();
    expect(await myRequestStatus(alice, 'User Administrator')).toBe('Pending approval');
    await screenshot(alice, 'requestor');
    await expectNoSeriousAxeViolations(alice);

    const bob = await openPage({ axe: true });
    await signInAs(bob, 'bob');
    const card = await inboxCard(bob, 'User Administrator');
    await expect.poll(() => card.textContent()).toMatch(/Alice Requestor asks for User Administrator/);
    const text = (await card.textContent())!;
    expect(text).toContain('Reset a locked-out account');
    expect(text).toContain('INC-42');
    expect(text).toContain('for 2 hours');
    expect(text).toContain('Stage 1 of 1');
    expect(text).toMatch(/expires in 23 hours 5\d minutes|expires in 1 day/);
    await screenshot(bob, 'approver-inbox');
    await expectNoSeriousAxeViolations(bob);

    // The demo policy requires an approver justification: the server's 400 is shown in the card.
    await card.getByRole('button', { name: 'Approve' }).click();
    await card.getByRole('alert').waitFor();
    expect(await card.getByRole('alert').textContent()).toMatch(/justification/i);
    await expect.poll(() => bob.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');

    await decideInUi(bob, 'User Administrator', 'Approve', 'Confirmed with the service desk');
    await bob.getByText('Nothing waits for your decision.').waitFor();

    expect(await myRequestStatus(alice, 'User Administrator')).toBe('Granted · Provisioned');
    const requests = await signoff.api.get(`${ROLE_REQUESTS}/filterByCurrentUser(on='principal')`, 'alice');
    expect(requests.body.value[0]).toMatchObject({ status: 'Provisioned', justification: 'Reset a locked-out account' });

    // Decided history, filtered.
    await bob.goto(`${signoff.server.url}/#/history`);
    const decided = bob.getByRole('article').filter({ hasText: 'User Administrator' });
    await decided.waitFor();
    expect(await decided.textContent()).toContain('You approved');
    await bob.getByLabel('Show').selectOption('Denied');
    await bob.getByText('No denied approvals.').waitFor();
    await bob.getByLabel('Show').selectOption('Approved');
    await decided.waitFor();
    await expectNoSeriousAxeViolations(bob);
  });

  it('a two-stage approval goes from bob to carol; alice sees each stage, then the grant', async () => {
    await requestViaApi(DEMO.roles.securityAdministrator);
    const carol = await openPage();
    await signInAs(carol, 'carol');
    await carol.getByText('Nothing waits for your decision.').waitFor();

    const bob = await openPage();
    await signInAs(bob, 'bob');
    const first = await inboxCard(bob, 'Security Administrator');
    expect(await first.textContent()).toContain('Stage 1 of 2');
    await decideInUi(bob, 'Security Administrator', 'Approve', 'Stage one looks right');

    const alice = await openPage();
    await signInAs(alice, 'alice');
    expect(await myRequestStatus(alice, 'Security Administrator')).toBe('Pending approval');
    expect(await alice.getByRole('article').filter({ hasText: 'Security Administrator' }).textContent()).toContain('Stage 2 of 2');

    const second = await inboxCard(carol, 'Security Administrator');
    expect(await second.textContent()).toContain('Stage 2 of 2');
    await decideInUi(carol, 'Security Administrator', 'Approve', 'Second pair of eyes');
    expect(await myRequestStatus(alice, 'Security Administrator')).toBe('Granted · Provisioned');

    await carol.goto(`${signoff.server.url}/#/history?result=Approved`);
    const decided = carol.getByRole('article').filter({ hasText: 'Security Administrator' });
    await decided.waitFor();
    expect(await decided.textContent()).toMatch(/approved by Bob Approver.*approved by Carol Approver/);
    await screenshot(carol, 'decided');
  });

  it('bob denies by keyboard alone; alice sees Denied and can no longer cancel', async () => {
    await requestViaApi(DEMO.roles.userAdministrator);
    const bob = await openPage();
    await bob.goto(signoff.server.url);
    await tabTo(bob, (el) => el.textContent?.includes('bob@contoso.com') ?? false);
    await bob.keyboard.press('Enter');
    await bob.getByRole('heading', { name: 'Waiting for your decision' }).waitFor();
    await bob.getByRole('article').filter({ hasText: 'User Administrator' }).waitFor();
    await tabTo(bob, (el) => el.tagName === 'TEXTAREA');
    await bob.keyboard.type('Not during the change freeze');
    await tabTo(bob, (el) => el.textContent === 'Deny');
    expect(await bob.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe('solid');
    await bob.keyboard.press('Enter');
    await bob.getByText('Nothing waits for your decision.').waitFor();

    const alice = await openPage();
    await signInAs(alice, 'alice');
    expect(await myRequestStatus(alice, 'User Administrator')).toBe('Denied');
    expect(await alice.getByRole('button', { name: 'Cancel request' }).count()).toBe(0);
  });

  it('alice cancels a pending request, and it leaves bob\'s inbox; a card still open says it was canceled', async () => {
    await requestViaApi(DEMO.roles.userAdministrator);
    const early = await openPage();
    await signInAs(early, 'bob');
    const stale = await inboxCard(early, 'User Administrator');
    const alice = await openPage();
    await signInAs(alice, 'alice');
    await myRequestStatus(alice, 'User Administrator');
    await alice.getByRole('button', { name: 'Cancel request' }).click();
    await alice.getByRole('status').filter({ hasText: 'Request for User Administrator canceled.' }).first().waitFor();
    await expect.poll(() => myRequestStatus(alice, 'User Administrator')).toBe('Canceled');

    const bob = await openPage();
    await signInAs(bob, 'bob');
    await bob.getByText('Nothing waits for your decision.').waitFor();

    // The card bob opened before the cancel: nobody decided it, and the inbox does not claim so.
    await stale.getByLabel('Your justification').fill('Looks fine');
    await stale.getByRole('button', { name: 'Approve' }).click();
    const alert = stale.getByRole('alert');
    await alert.filter({ hasText: 'The request was canceled' }).waitFor();
    expect(await alert.textContent()).not.toContain('Already decided');
  });

  it('two windows race to decide the same step: one wins, the other is told who decided', async () => {
    await requestViaApi(DEMO.roles.userAdministrator);
    const { outcomes, loser } = await raceBobInTwoWindows([await openPage(), await openPage()], 'User Administrator');
    expect([...outcomes].sort()).toEqual(['lost', 'won']);
    // The losing card stays readable, with nothing left to press.
    expect(await loser.getByRole('heading', { name: 'Alice Requestor asks for User Administrator' }).count()).toBe(1);
    expect(await loser.getByLabel('Your justification').isDisabled()).toBe(true);
  });

  it('bob and carol race to decide alice\'s Prod Ops membership: one wins, the other is told who decided', async () => {
    const alice = await openPage();
    await signInAs(alice, 'alice');
    await show(alice, '#/requests');
    const form = alice.locator('form.request-form');
    await form.getByLabel('What you need').selectOption({ label: 'Prod Ops (member)' });
    await form.getByLabel('Justification').fill('Deploy the hotfix');
    await form.getByRole('button', { name: 'Send request' }).click();
    await alice.getByRole('status').filter({ hasText: 'Request for Prod Ops (member) sent: Pending approval' }).first().waitFor();

    const approvers = [['bob', await openPage()], ['carol', await openPage()]] as const;
    const cards = [];
    for (const [user, page] of approvers) {
      await signInAs(page, user);
      const card = await inboxCard(page, 'Prod Ops (member)');
      expect(await card.textContent()).toContain('Alice Requestor asks for Prod Ops (member)');
      expect(await card.textContent()).toContain('Deploy the hotfix');
      // Everyone who may decide the stage is named, so an approver knows who else could act.
      expect(await card.textContent()).toMatch(/Who may decide\s*Bob Approver, Carol Approver/);
      await card.getByLabel('Your justification').fill(`${user} says yes`);
      cards.push(card);
    }
    await Promise.all(cards.map((card) => card.getByRole('button', { name: 'Approve' }).click()));

    const outcomes = await Promise.all(approvers.map(([, page]) => Promise.race([
      page.getByText('Nothing waits for your decision.').waitFor().then(() => 'won'),
      page.getByRole('alert').filter({ hasText: /Already decided by (Bob|Carol) Approver \(approved\)/ }).waitFor().then(() => 'lost'),
    ])));
    expect([...outcomes].sort()).toEqual(['lost', 'won']);
    const winner = approvers[outcomes.indexOf('won')]![0];
    const loser = approvers[outcomes.indexOf('lost')]![1];
    expect(await loser.getByRole('alert').textContent()).toContain(`Already decided by ${nameOf(winner)}`);
    await expect.poll(() => myRequestStatus(alice, 'Prod Ops (member)')).toBe('Granted · Provisioned');
  });

  it('an access package goes to the requestor\'s manager: alice asks for Contractor Access, bob approves, it is delivered', async () => {
    const alice = await openPage();
    await signInAs(alice, 'alice');
    await show(alice, '#/requests');
    const form = alice.locator('form.request-form');
    await form.getByLabel('What you need').selectOption({ label: 'Contractor Access' });
    await form.getByLabel('Justification').fill('Onboarding the vendor');
    await form.getByRole('button', { name: 'Send request' }).click();
    await alice.getByRole('status').filter({ hasText: 'Request for Contractor Access sent: Pending approval' }).first().waitFor();

    const bob = await openPage();
    await signInAs(bob, 'bob');
    const card = await inboxCard(bob, 'Contractor Access');
    const text = (await card.textContent())!;
    expect(text).toContain('Alice Requestor asks for Contractor Access');
    expect(text).toContain('Access package');
    expect(text).toMatch(/expires in 13 days 23 hours|expires in 14 days/);
    await decideInUi(bob, 'Contractor Access', 'Approve', 'Vendor contract signed');
    await expect.poll(() => myRequestStatus(alice, 'Contractor Access')).toBe('Granted · Delivered');
  });

  it('dave has nothing to approve; the inbox says so clearly, on a phone-sized screen too', async () => {
    const dave = await openPage({ viewport: { width: 375, height: 740 }, axe: true });
    await signInAs(dave, 'dave');
    await dave.getByText('Nothing waits for your decision.').waitFor();
    await expectNoSeriousAxeViolations(dave);
    expect(await dave.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

    await requestViaApi(DEMO.roles.securityAdministrator);
    const bob = await openPage({ viewport: { width: 375, height: 740 } });
    await signInAs(bob, 'bob');
    await inboxCard(bob, 'Security Administrator');
    expect(await bob.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(bob, 'phone-inbox');

    // The time left follows Signoff's clock, which the dev clock moves ahead of the browser's.
    expect((await signoff.api.post('/dev/clock', { advance: 'PT20H' })).status).toBe(200);
    const card = await inboxCard(bob, 'Security Administrator');
    await expect.poll(() => card.textContent()).toMatch(/expires in 3 hours 5\d minutes|expires in 4 hours/);
  });

  it('keeps the token in the tab\'s sessionStorage, and a rejected token leads back to sign-in', async () => {
    const page = await openPage();
    await signInAs(page, 'bob');
    const stored = await page.evaluate(() => ({ session: sessionStorage.getItem('signoff.session'), local: JSON.stringify(localStorage) }));
    expect(JSON.parse(stored.session!).user).toMatchObject({ id: DEMO.users.bob, userPrincipalName: 'bob@contoso.com' });
    expect(stored.local).not.toContain('access_token');
    expect(stored.local).not.toContain(JSON.parse(stored.session!).token);

    await page.evaluate(() => {
      const session = JSON.parse(sessionStorage.getItem('signoff.session')!);
      sessionStorage.setItem('signoff.session', JSON.stringify({ ...session, token: 'not-a-valid-token' }));
    });
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.getByRole('alert').first().textContent()).toContain('You were signed out');
    expect(await page.evaluate(() => sessionStorage.getItem('signoff.session'))).toBeNull();
  });

  it('an unknown user is refused at sign-in with the server\'s message', async () => {
    const page = await openPage();
    await page.goto(signoff.server.url);
    await page.getByLabel(/Another user/).fill('nobody@contoso.com');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    expect(await page.getByRole('alert').textContent()).toContain("No user 'nobody@contoso.com'");
    expect(await page.getByText('Signed in as').count()).toBe(0);
    // The page's own policy holds in the browser: no script may be injected inline.
    await expect(page.addScriptTag({ content: 'window.injected = true' })).rejects.toThrow(/Content Security Policy/);
    pageErrors.splice(0);
  });
});

/** Presses Tab until the focused element matches (bounded: a page has few stops). */
async function tabTo(page: Page, matches: (el: Element) => boolean): Promise<void> {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const found = await page.evaluate(`(${matches.toString()})(document.activeElement)`);
    if (found) return;
  }
  throw new Error('No focusable element matched within 40 Tab presses');
}
