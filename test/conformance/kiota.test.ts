import { HttpMethod, RequestInformation } from '@microsoft/kiota-abstractions';
import type { GraphBetaRequestAdapter } from '@microsoft/msgraph-beta-sdk';
import {
  type ApprovalCollectionResponse, type ApprovalStep, createApprovalCollectionResponseFromDiscriminatorValue, serializeApprovalStep,
} from '@microsoft/msgraph-beta-sdk/models/index.js';
import { type ODataError, createODataErrorFromDiscriminatorValue } from '@microsoft/msgraph-beta-sdk/models/oDataErrors/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_ERRORS } from '../../src/http/graph/graph-errors.js';
import { DEMO } from '../support/demo.js';
import { adapterFor } from '../support/kiota-adapter.js';
import { useWiderTenantServer } from '../support/wider-tenant.js';

const APPROVALS = '/identityGovernance/privilegedAccess/group/assignmentApprovals';
const ERRORS = { XXX: createODataErrorFromDiscriminatorValue };

function pendingForMe(adapter: GraphBetaRequestAdapter, top: number): RequestInformation {
  const info = new RequestInformation(HttpMethod.GET, `{+baseurl}${APPROVALS}/filterByCurrentUser(on='approver'){?%24top}`, { baseurl: adapter.baseUrl });
  info.queryParameters['%24top'] = top;
  info.headers.tryAdd('Accept', 'application/json');
  return info;
}

function decision(adapter: GraphBetaRequestAdapter, approvalId: string, stepId: string, body: Partial<ApprovalStep>): RequestInformation {
  const info = new RequestInformation(HttpMethod.PATCH, `{+baseurl}${APPROVALS}/{approval%2Did}/steps/{approvalStep%2Did}`, {
    baseurl: adapter.baseUrl, 'approval%2Did': approvalId, 'approvalStep%2Did': stepId,
  });
  info.headers.tryAdd('Accept', 'application/json');
  info.setContentFromParsable(adapter, 'application/json', body as ApprovalStep, serializeApprovalStep);
  return info;
}

async function odataError(promise: Promise<unknown>): Promise<ODataError> {
  try {
    await promise;
  } catch (error) {
    return error as ODataError;
  }
  throw new Error('expected an OData error');
}

describe('Kiota (@microsoft/msgraph-beta-sdk request adapter) against Signoff over HTTPS', () => {
  const signoff = useWiderTenantServer({ https: true });
  const requestIds: string[] = [];

  beforeAll(async () => {
    for (const who of ['alice', 'carol', 'dave'] as const) {
      const res = await signoff.api.post('/beta/identityGovernance/privilegedAccess/group/assignmentScheduleRequests', {
        accessId: 'member', principalId: DEMO.users[who], groupId: DEMO.groups.prodOps, action: 'selfActivate', justification: 'On call',
        scheduleInfo: { startDateTime: new Date().toISOString(), expiration: { type: 'afterDuration', duration: 'PT1H' } },
      }, who);
      expect(res.status, res.text).toBe(201);
      requestIds.push(res.body.id);
    }
  });

  it('lists pending approvals for the caller, page by page through odataNextLink', async () => {
    const bob = adapterFor(signoff.server, signoff.api, 'bob');
    const seen: string[] = [];
    let info: RequestInformation | null = pendingForMe(bob, 2);
    for (let i = 0; info && i < 5; i++) {
      const page: ApprovalCollectionResponse | undefined = await bob.send(info, createApprovalCollectionResponseFromDiscriminatorValue, ERRORS);
      expect(page?.value?.length).toBeGreaterThan(0);
      for (const approval of page!.value!) {
        seen.push(approval.id!);
        expect(approval.steps?.[0]).toMatchObject({ assignedToMe: true, reviewResult: 'NotReviewed', status: 'InProgress' });
      }
      const next: string | null | undefined = page!.odataNextLink;
      info = next ? new RequestInformation(HttpMethod.GET) : null;
      // Graph's rule: follow @odata.nextLink verbatim.
      if (info && next) info.URL = next;
    }
    expect(seen.sort()).toEqual([...requestIds].sort());
  });

  it('sends a step PATCH built by hand; a second decision is a 409 parsed as an OData error', async () => {
    const bob = adapterFor(signoff.server, signoff.api, 'bob');
    const approvalId = requestIds[0]!;
    const steps = (await signoff.api.get(`/beta${APPROVALS}/${approvalId}/steps`, 'bob')).body.value;
    await bob.sendNoResponseContent(decision(bob, approvalId, steps[0].id, { reviewResult: 'Approve', justification: 'Approved through Kiota' }), ERRORS);
    const after = (await signoff.api.get(`/beta${APPROVALS}/${approvalId}/steps/${steps[0].id}`, 'bob')).body;
    expect(after).toMatchObject({ reviewResult: 'Approved', status: 'Completed', justification: 'Approved through Kiota' });

    const carol = adapterFor(signoff.server, signoff.api, 'carol');
    const conflict = await odataError(carol.sendNoResponseContent(decision(carol, approvalId, steps[0].id, { reviewResult: 'Deny', justification: 'late' }), ERRORS));
    expect(conflict.responseStatusCode).toBe(409);
    expect(conflict.errorEscaped?.code).toBe(GRAPH_ERRORS.STEP_ALREADY_DECIDED.code);
    expect(conflict.errorEscaped?.message).toMatch(/already been decided/);
    expect(conflict.errorEscaped?.innerError?.requestId).toMatch(/^[0-9a-f-]{36}$/);

    // A token provider that allows only Microsoft's host sends no token here: Signoff answers 401.
    const stranger = adapterFor(signoff.server, signoff.api, 'bob', 'graph.microsoft.com');
    const unauthenticated = await odataError(stranger.send(pendingForMe(stranger, 1), createApprovalCollectionResponseFromDiscriminatorValue, ERRORS));
    expect(unauthenticated.responseStatusCode).toBe(401);
    expect(unauthenticated.errorEscaped?.code).toBe(GRAPH_ERRORS.UNAUTHENTICATED.code);
  });
});
