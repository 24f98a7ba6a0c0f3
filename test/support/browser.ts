import { createRequire } from 'node:module';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { DemoUser } from './demo.js';
import { useTestServer } from './server-fixture.js';

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Debian's Chromium; Playwright's launch runs it on a fresh temporary profile, deleted on close. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface PageOptions {
  readonly viewport?: { width: number; height: number };
  /** The page's CSP is bypassed so that axe-core can be injected into it. */
  readonly axe?: boolean;
}

/**
 * Browser windows of their own (cookies, storage) for one test; any script error or CSP
 * violation is collected in `pageErrors` for the test to fail on.
 */
export function browserWindows(browser: () => Browser) {
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  async function openPage(options: PageOptions = {}): Promise<Page> {
    const context = await browser().newContext({ viewport: options.viewport ?? { width: 1100, height: 800 }, bypassCSP: options.axe ?? false });
    contexts.push(context);
    // The inbox answers in well under a second; a missing element should fail fast.
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/.test(message.text())) pageErrors.push(message.text());
    });
    return page;
  }
  return { contexts, pageErrors, openPage };
}

/**
 * One Chromium for the file and a fresh test server for every test. After each test its windows
 * are closed, then its server is destroyed, then the test fails on any page error (after-hooks run
 * last registered first). Answers the server fixture, the windows and the inbox's views on it.
 */
export function useInboxInChromium() {
  let browser: Browser | undefined;
  const windows = browserWindows(() => browser!);
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(() => {
    expect(windows.pageErrors.splice(0)).toEqual([]);
  });
  const signoff = useTestServer({}, { perTest: true });
  afterEach(async () => {
    for (const context of windows.contexts.splice(0)) await context.close();
  });
  return { signoff, ...windows, ...inboxViews(() => signoff.server.url) };
}

export function nameOf(user: DemoUser): string {
  return { admin: 'Adele Admin', alice: 'Alice Requestor', bob: 'Bob Approver', carol: 'Carol Approver', dave: 'Dave Nobody' }[user];
}

/** The inbox's views as a person reaches them, on the server `baseUrl()` names. */
export function inboxViews(baseUrl: () => string) {
  /** Goes to a view; the same address again reloads it, as a person pressing F5 would. */
  async function show(page: Page, hash: string): Promise<void> {
    const target = `${baseUrl()}/${hash}`;
    if (page.url() === target) await page.reload();
    else await page.goto(target);
  }

  async function signInAs(page: Page, user: DemoUser): Promise<void> {
    await page.goto(baseUrl());
    await page.getByRole('button', { name: new RegExp(`${user}@contoso.com`) }).click();
    await expect.poll(() => page.getByText('Signed in as').textContent()).toContain(nameOf(user));
  }

  async function inboxCard(page: Page, what: string) {
    await show(page, '#/inbox');
    const card = page.getByRole('article').filter({ hasText: what });
    await card.waitFor();
    return card;
  }

  async function decideInUi(page: Page, what: string, decision: 'Approve' | 'Deny', justification: string): Promise<void> {
    const card = await inboxCard(page, what);
    await card.getByLabel('Your justification').fill(justification);
    await card.getByRole('button', { name: decision }).click();
    await page.getByRole('status').filter({ hasText: `${decision === 'Approve' ? 'Approved' : 'Denied'}: Alice Requestor, ${what}` }).first().waitFor();
  }

  /**
   * Bob approves `what` in two windows at the same moment. Answers each window's outcome ('won':
   * its inbox emptied; 'lost': told bob decided first) and the losing window.
   */
  async function raceBobInTwoWindows(windows: readonly Page[], what: string): Promise<{ outcomes: string[]; loser: Page }> {
    const cards = [];
    for (const page of windows) {
      await signInAs(page, 'bob');
      const card = await inboxCard(page, what);
      await card.getByLabel('Your justification').fill('Racing to approve');
      cards.push(card);
    }
    await Promise.all(cards.map((card) => card.getByRole('button', { name: 'Approve' }).click()));
    const outcomes = await Promise.all(windows.map((page) => Promise.race([
      page.getByText('Nothing waits for your decision.').waitFor().then(() => 'won'),
      page.getByRole('alert').filter({ hasText: 'Already decided by Bob Approver (approved)' }).waitFor().then(() => 'lost'),
    ])));
    return { outcomes, loser: windows[outcomes.indexOf('lost')] ?? windows[0]! };
  }

  return { show, signInAs, inboxCard, decideInUi, raceBobInTwoWindows };
}

export async function expectNoSeriousAxeViolations(page: Page): Promise<void> {
  await page.addScriptTag({ path: AXE_SCRIPT });
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: { id: string; impact: string | null; nodes: unknown[] }[] }> } }).axe.run(document);
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
}
