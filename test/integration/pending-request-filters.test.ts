import { beforeAll, describe, expect, it } from 'vitest';
import { FILTER_SCAN_BUDGET } from '../../src/http/graph/odata.js';
import { DEMO } from '../support/demo.js';
import { activationBody } from '../support/http.js';
import { useTestServer } from '../support/server-fixture.js';
import { testStores } from '../support/test-server.js';

const ROLE_REQUESTS = '/beta/roleManagement/directory/roleAssignmentScheduleRequests';
const EM_REQUESTS = 'identityGovernance/entitlementManagement';
const { alice } = DEMO.users;

/**
 * "What is pending?" over a long history: more decided requests than one request may look at are
 * newer than the pending one, so only a store read narrowed to the status finds it on the first page.
 */
describe.each(testStores())('Pending requests behind a long history (%s store)', (store) => {
  const signoff = useTestServer({ store });
  const pending: Record<'role' | 'accessPackage', string> = { role: '', accessPackage: '' };

  beforeAll(async () => {
    const role = await signoff.api.post(ROLE_REQUESTS, activationBody(DEMO.roles.userAdministrator, alice), 'alice');
    expect(role.status, role.text).toBe(201);
    pending.role = role.body.id;
    const em = await signoff.api.post(`/v1.0/${EM_REQUESTS}/assignmentRequests`, {
      requestType: 'userAdd', justification: 'Contract starts Monday',
      assignment: { assignmentPolicyId: DEMO.accessPackagePolicies.contractorAccess, accessPackageId: DEMO.accessPackages.contractorAccess },
    }, 'alice');
    expect(em.status, em.text).toBe(201);
    pending.accessPackage = em.body.id;

    const later = Date.now() + 60_000;
    const decided = (family: 'directoryRole' | 'accessPackage', resourceId: string, scope: string) => Array.from({ length: FILTER_SCAN_BUDGET + 500 }, (_, i) => {
      const at = new Date(later + i).toISOString();
      return {
        id: `${family === 'directoryRole' ? 'd' : 'e'}${String(i).padStart(7, '0')}-0000-4000-8000-000000000000`, family, action: family === 'directoryRole' ? 'selfActivate' : 'userAdd',
        principal_id: alice, created_by: alice, resource_id: resourceId, scope, justification: 'history', ticket: null,
        schedule: JSON.stringify({ startAt: at, endAt: null, expirationType: 'afterDuration', duration: 'PT1H' }), start_at: at, end_at: null,
        status: 'Denied', approval_id: null, policy_id: null, policy_version: null, created_at: at, completed_at: at, extra: '{}', version: 1,
      };
    });
    const rows = [...decided('directoryRole', DEMO.roles.userAdministrator, '/'), ...decided('accessPackage', DEMO.accessPackages.contractorAccess, DEMO.accessPackagePolicies.contractorAccess)];
    await signoff.server.running.services.store.transaction(async (tx) => {
      for (let i = 0; i < rows.length; i += 500) await tx.insertInto('requests').values(rows.slice(i, i + 500)).execute();
    });
  });

  async function firstPage(path: string, filter: string) {
    const res = await signoff.api.get(`${path}?$top=10&$filter=${encodeURIComponent(filter)}`, 'admin');
    expect(res.status, res.text).toBe(200);
    return { ids: res.body.value.map((r: any) => r.id), next: res.body['@odata.nextLink'] as string | undefined };
  }

  it('finds a pending PIM request on the first page, with nothing after it', async () => {
    for (const filter of ["status eq 'PendingApproval'", "status in ('PendingApproval', 'Granted')", `status eq 'pendingapproval' and principalId eq '${alice}'`]) {
      expect(await firstPage(ROLE_REQUESTS, filter), filter).toEqual({ ids: [pending.role], next: undefined });
    }
    // A filter that does not bound the status reads the history and stops at the scan budget, going on by nextLink.
    const unbounded = await firstPage(ROLE_REQUESTS, "status eq 'PendingApproval' or justification eq 'none'");
    expect(unbounded.ids).toEqual([]);
    expect(unbounded.next).toBeDefined();
  });

  it('finds a pending access package request by the state or status each version serves', async () => {
    for (const [path, filter] of [
      [`/v1.0/${EM_REQUESTS}/assignmentRequests`, "state eq 'pendingApproval'"],
      [`/v1.0/${EM_REQUESTS}/assignmentRequests`, "status eq 'PendingApproval' and state in ('pendingApproval', 'delivered')"],
      [`/beta/${EM_REQUESTS}/accessPackageAssignmentRequests`, "requestState eq 'PendingApproval'"],
    ] as const) {
      expect(await firstPage(path, filter), `${path} ${filter}`).toEqual({ ids: [pending.accessPackage], next: undefined });
    }
    expect(await firstPage(`/v1.0/${EM_REQUESTS}/assignmentRequests`, "state eq 'pendingApproval' and status eq 'Delivered'")).toEqual({ ids: [], next: undefined });
  });
});
