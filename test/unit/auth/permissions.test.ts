import { describe, expect, it } from 'vitest';
import { ALL_DEV_SCOPES } from '../../../src/auth/dev-issuer.js';
import { ARM_PERMISSIONS, GRAPH_PERMISSIONS, SIGNOFF_API_PERMISSIONS, missingPermission } from '../../../src/auth/permissions.js';

const TABLES = { graph: GRAPH_PERMISSIONS, signoff: SIGNOFF_API_PERMISSIONS, arm: ARM_PERMISSIONS };
const rolesOf = 'GET /roleManagement/directory/roleAssignmentScheduleRequests';
const decide = 'PATCH /roleManagement/directory/roleAssignmentApprovals/:id/:child/:stepId';

describe('the permission table', () => {
  it('opens every operation to a default dev token, so the emulator works out of the box', () => {
    const closed = Object.entries(TABLES).flatMap(([name, table]) => Object.entries(table)
      .filter(([, p]) => missingPermission({ kind: 'delegated', scopes: ALL_DEV_SCOPES }, p, 'x') !== null).map(([key]) => `${name} ${key}`));
    expect(closed).toEqual([]);
  });

  it.each([
    // Any one listed scope suffices: the least privileged one, or a higher one.
    ['least privileged scope', { kind: 'delegated', scopes: ['RoleAssignmentSchedule.Read.Directory'] }, GRAPH_PERMISSIONS[rolesOf], null],
    ['higher privileged scope', { kind: 'delegated', scopes: ['RoleManagement.ReadWrite.Directory'] }, GRAPH_PERMISSIONS[rolesOf], null],
    ['an unrelated scope names what would do', { kind: 'delegated', scopes: ['User.Read'] }, GRAPH_PERMISSIONS[rolesOf], /requires one of the delegated permissions: RoleAssignmentSchedule\.Read\.Directory/],
    ['a scope is not an application role', { kind: 'application', roles: ['User.Read'] }, GRAPH_PERMISSIONS[rolesOf], /application permissions: RoleAssignmentSchedule/],
    ['an application role opens what Microsoft offers to applications', { kind: 'application', roles: ['RoleManagement.Read.All'] }, GRAPH_PERMISSIONS[rolesOf], null],
    ['deciding an approval is never an application\'s', { kind: 'application', roles: ['RoleManagement.ReadWrite.Directory'] }, GRAPH_PERMISSIONS[decide], /does not support application permissions/],
    ['a route missing from the table is closed', { kind: 'delegated', scopes: ALL_DEV_SCOPES }, undefined, /No permission opens/],
  ] as const)('%s', (_name, grant, permission, expected) => {
    const missing = missingPermission(grant, permission, 'the operation');
    if (expected === null) expect(missing).toBeNull();
    else expect(missing).toMatch(expected);
  });
});
