import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { expectNoSeriousAxeViolations, useInboxInChromium } from '../support/browser.js';
import { DEMO } from '../support/demo.js';

const SUB = DEMO.azure.subscriptionScope;
const AUTHZ = '/providers/Microsoft.Authorization';
const ROLES = '/beta/roleManagement/directory';
// The demo policy for User Administrator at the directory root.
const USER_ADMINISTRATOR_POLICY = 'Directory_18bd2cb8-d6cb-4571-9eb7-b58536c809b6_477041d4-49df-4a2e-80ea-df5ead16277e';

const { signoff, openPage, show, signInAs, inboxCard, decideInUi, raceBobInTwoWindows } = useInboxInChromium();

/** alice activates Contributor on the demo subscription through ARM, as README shows. */
async function activateContributor(): Promise<string> {
  const name = randomUUID();
  const res = await signoff.api.call('PUT', `${SUB}${AUTHZ}/roleAssignmentScheduleRequests/${name}?api-version=2020-10-01`, {
    as: 'alice',
    body: {
      properties: {
        principalId: DEMO.users.alice, requestType: 'SelfActivate', justification: 'Deploy the hotfix',
        roleDefinitionId: `${SUB}${AUTHZ}/roleDefinitions/${DEMO.azure.contributor}`,
        ticketInfo: { ticketNumber: 'CHG-7', ticketSystem: 'ServiceNow' },
        scheduleInfo: { startDateTime: null, expiration: { type: 'AfterDuration', duration: 'PT1H' } },
      },
    },
  });
  expect(res.status, res.text).toBe(201);
  expect(res.body.properties.status).toBe('PendingApproval');
  return name;
}

async function armRequestStatus(name: string): Promise<string> {
  const res = await signoff.api.get(`${SUB}${AUTHZ}/roleAssignmentScheduleRequests/${name}?api-version=2020-10-01`, 'alice');
  expect(res.status, res.text).toBe(200);
  return res.body.properties.status;
}

describe('the web inbox shows ARM approvals and break-glass reviews, in Chromium', () => {
  it('alice\'s ARM Contributor activation shows in bob\'s inbox; bob approves and it is provisioned', async () => {
    const name = await activateContributor();
    const bob = await openPage({ axe: true });
    await signInAs(bob, 'bob');
    const card = await inboxCard(bob, 'Contributor');
    const text = (await card.textContent())!;
    expect(text).toContain('Alice Requestor asks for Contributor');
    expect(text).toContain('Azure role');
    expect(text).toContain(SUB);
    expect(text).toContain('Deploy the hotfix');
    expect(text).toContain('ServiceNow CHG-7');
    expect(text).toContain('for 1 hour');
    expect(text).toContain('Stage 1 of 1');
    expect(text).toMatch(/expires in 23 hours 5\d minutes|expires in 1 day/);
    expect(text).toMatch(/Who may decide\s*Bob Approver/);
    await expectNoSeriousAxeViolations(bob);

    await decideInUi(bob, 'Contributor', 'Approve', 'Change ticket checked');
    await bob.getByText('Nothing waits for your decision.').waitFor();
    expect(await armRequestStatus(name)).toBe('Provisioned');

    // The decided history reads the ARM approval back through ARM.
    await show(bob, '#/history');
    const decided = bob.getByRole('article').filter({ hasText: 'Contributor' });
    await decided.waitFor();
    expect(await decided.textContent()).toMatch(/You approved.*Azure role.*approved by Bob Approver/);
    await expectNoSeriousAxeViolations(bob);
  });

  it('two windows race to decide the ARM stage: one wins, the other is told who decided', async () => {
    const name = await activateContributor();
    const { outcomes, loser } = await raceBobInTwoWindows([await openPage(), await openPage()], 'Contributor');
    expect([...outcomes].sort()).toEqual(['lost', 'won']);
    expect(await loser.getByRole('heading', { name: 'Alice Requestor asks for Contributor' }).count()).toBe(1);
    expect(await loser.getByLabel('Your justification').isDisabled()).toBe(true);
    expect(await armRequestStatus(name)).toBe('Provisioned');
  });

  it('a break-glass activation shows as emergency access in the reviewer\'s inbox, and Deny revokes it', async () => {
    const policy = await signoff.api.call('PUT', `/signoff/v1/breakGlass/policies/${USER_ADMINISTRATOR_POLICY}`, {
      as: 'admin', body: { enabled: true, maximumDurationMinutes: 60, reviewers: [{ type: 'singleUser', userId: DEMO.users.bob }], reviewWithinMinutes: 120 },
    });
    expect(policy.status, policy.text).toBe(200);
    const activated = await signoff.api.post('/signoff/v1/breakGlass/activations', {
      family: 'directoryRole', resourceId: DEMO.roles.userAdministrator, justification: 'Production is down', duration: 'PT1H',
    }, 'alice');
    expect(activated.status, activated.text).toBe(201);
    expect(activated.body.status).toBe('Provisioned');

    const bob = await openPage({ axe: true });
    await signInAs(bob, 'bob');
    const card = await inboxCard(bob, 'User Administrator');
    const text = (await card.textContent())!;
    expect(text).toContain('Alice Requestor used emergency access to User Administrator');
    expect(text).toContain('Production is down');
    const until = await bob.evaluate((iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }), activated.body.endDateTime as string);
    const deadline = await bob.evaluate((iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }), activated.body.review.deadline as string);
    expect(text).toContain(`Emergency access, already active until ${until}; review by ${deadline}; Deny revokes it.`);
    expect(text).toMatch(/review due in 1 hour 5\d minutes|review due in 2 hours/);
    await expectNoSeriousAxeViolations(bob);

    await decideInUi(bob, 'User Administrator', 'Deny', 'Not an incident we know of');
    await bob.getByText('Nothing waits for your decision.').waitFor();
    const after = await signoff.api.get(`/signoff/v1/breakGlass/activations/${activated.body.id}`, 'alice');
    expect(after.body).toMatchObject({ status: 'Revoked', review: { reviewResult: 'Deny', reviewedBy: DEMO.users.bob } });
    const instances = await signoff.api.get(`${ROLES}/roleAssignmentScheduleInstances?$filter=${encodeURIComponent(`principalId eq '${DEMO.users.alice}' and roleDefinitionId eq '${DEMO.roles.userAdministrator}'`)}`, 'admin');
    expect(instances.body.value).toEqual([]);
  });
});
