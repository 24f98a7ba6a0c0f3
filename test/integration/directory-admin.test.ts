import { describe, expect, it } from 'vitest';
import { DEMO } from '../support/demo.js';
import { expectGraphError } from '../support/graph-assertions.js';
import { useTestServer } from '../support/server-fixture.js';
import { testStores } from '../support/test-server.js';

const { alice, bob, carol, dave } = DEMO.users;

const ref = (id: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });

describe.each(testStores())('directory management through Graph and the import API (%s store)', (store) => {
  const signoff = useTestServer({ store });

  async function auditActions(targetId: string): Promise<string[]> {
    const rows = await signoff.server.running.services.store.db.selectFrom('audit_events').select('action').where('target_id', '=', targetId).orderBy('seq').execute();
    return rows.map((r) => r.action);
  }

  it('lets an admin create, read, update and delete a user in Graph shapes, with audit events', async () => {
    const created = await signoff.api.post('/v1.0/users', {
      accountEnabled: true, displayName: 'Erin Example', mailNickname: 'erin', userPrincipalName: 'erin@contoso.com',
      passwordProfile: { forceChangePasswordNextSignIn: true, password: 'ignored' }, jobTitle: 'SRE',
    }, 'admin');
    expect(created.status, created.text).toBe(201);
    expect(created.body['@odata.context']).toMatch(/\/v1\.0\/\$metadata#users\/\$entity$/);
    expect(created.body).toMatchObject({ displayName: 'Erin Example', userPrincipalName: 'erin@contoso.com', jobTitle: 'SRE', mail: 'erin@contoso.com' });
    const id = created.body.id as string;

    const read = await signoff.api.get('/v1.0/users/erin@contoso.com', 'alice');
    expect(read.body.id).toBe(id);

    const patched = await signoff.api.patch(`/v1.0/users/${id}`, { jobTitle: 'Principal SRE' }, 'admin');
    expect(patched.status, patched.text).toBe(204);
    expect((await signoff.api.get(`/v1.0/users/${id}`, 'admin')).body.jobTitle).toBe('Principal SRE');

    const setManager = await signoff.api.call('PUT', `/v1.0/users/${id}/manager/$ref`, { as: 'admin', body: ref(bob) });
    expect(setManager.status, setManager.text).toBe(204);
    expect((await signoff.api.get(`/v1.0/users/${id}/manager`, 'admin')).body.id).toBe(bob);

    const deleted = await signoff.api.call('DELETE', `/v1.0/users/${id}`, { as: 'admin' });
    expect(deleted.status).toBe(204);
    expectGraphError(await signoff.api.get(`/v1.0/users/${id}`, 'admin'), 'PRINCIPAL_NOT_FOUND');
    expect(await auditActions(id)).toEqual(['directory.userCreated', 'directory.userUpdated', 'directory.managerChanged', 'directory.userDeleted']);
  });

  it('creates groups and manages their members by $ref', async () => {
    const group = await signoff.api.post('/v1.0/groups', { displayName: 'Night Shift', mailEnabled: false, mailNickname: 'nightshift', securityEnabled: true }, 'admin');
    expect(group.status, group.text).toBe(201);
    expect(group.body).toMatchObject({ displayName: 'Night Shift', mailNickname: 'nightshift', securityEnabled: true });
    const members = `/v1.0/groups/${group.body.id}/members`;

    expect((await signoff.api.post(`${members}/$ref`, ref(carol), 'admin')).status).toBe(204);
    expect((await signoff.api.get(members, 'admin')).body.value.map((u: any) => u.id)).toEqual([carol]);
    expectGraphError(await signoff.api.post(`${members}/$ref`, ref(carol), 'admin'), 'INVALID_REQUEST');
    expectGraphError(await signoff.api.post(`${members}/$ref`, ref('00000000-0000-0000-0000-00000000dead'), 'admin'), 'PRINCIPAL_NOT_FOUND');

    expect((await signoff.api.call('DELETE', `${members}/${carol}/$ref`, { as: 'admin' })).status).toBe(204);
    expect((await signoff.api.get(members, 'admin')).body.value).toEqual([]);
    expectGraphError(await signoff.api.call('DELETE', `${members}/${carol}/$ref`, { as: 'admin' }), 'PRINCIPAL_NOT_FOUND');
    expect(await auditActions(group.body.id)).toEqual(['directory.groupCreated', 'directory.memberAdded', 'directory.memberRemoved']);
  });

  it('refuses every change to non-admins with 403 and leaves the directory as it was', async () => {
    const before = await signoff.server.running.services.store.db.selectFrom('users').select(['id', 'manager_id', 'job_title']).orderBy('id').execute();
    const attempts = [
      signoff.api.post('/v1.0/users', { displayName: 'Mallory', userPrincipalName: 'mallory@contoso.com' }, 'dave'),
      signoff.api.patch(`/v1.0/users/${alice}`, { jobTitle: 'CEO' }, 'alice'),
      signoff.api.call('DELETE', `/v1.0/users/${bob}`, { as: 'bob' }),
      signoff.api.call('PUT', `/v1.0/users/${alice}/manager/$ref`, { as: 'alice', body: ref(dave) }),
      signoff.api.post('/v1.0/groups', { displayName: 'Shadow' }, 'dave'),
      signoff.api.post(`/v1.0/groups/${DEMO.groups.approvers}/members/$ref`, ref(dave), 'dave'),
      signoff.api.call('DELETE', `/v1.0/groups/${DEMO.groups.approvers}/members/${bob}/$ref`, { as: 'carol' }),
      signoff.api.post('/signoff/v1/directory/import', { users: [{ userPrincipalName: 'mallory@contoso.com', displayName: 'Mallory' }] }, 'dave'),
    ];
    for (const res of await Promise.all(attempts)) expectGraphError(res, 'ACCESS_DENIED');
    const after = await signoff.server.running.services.store.db.selectFrom('users').select(['id', 'manager_id', 'job_title']).orderBy('id').execute();
    expect(after).toEqual(before);
    expect((await signoff.api.get(`/v1.0/groups/${DEMO.groups.approvers}/members`, 'admin')).body.value.map((u: any) => u.id).sort()).toEqual([bob, carol].sort());
  });

  it('answers 400 in Graph’s envelope for invalid input', async () => {
    expectGraphError(await signoff.api.post('/v1.0/users', { displayName: 'No UPN' }, 'admin'), 'BAD_REQUEST');
    expectGraphError(await signoff.api.post('/v1.0/users', { displayName: 'Bad', userPrincipalName: 'not-an-upn' }, 'admin'), 'INVALID_REQUEST');
    expectGraphError(await signoff.api.post('/v1.0/users', { displayName: 'Alice again', userPrincipalName: 'ALICE@contoso.com' }, 'admin'), 'INVALID_REQUEST');
    expectGraphError(await signoff.api.post('/v1.0/users', { displayName: 'X', userPrincipalName: 'x@contoso.com', favouriteColour: 'red' }, 'admin'), 'BAD_REQUEST');
    expectGraphError(await signoff.api.patch(`/v1.0/users/${alice}`, { userPrincipalName: 'bob@contoso.com' }, 'admin'), 'INVALID_REQUEST');
    expectGraphError(await signoff.api.call('PUT', `/v1.0/users/${alice}/manager/$ref`, { as: 'admin', body: ref(alice) }), 'INVALID_REQUEST');
    expectGraphError(await signoff.api.call('PUT', `/v1.0/users/${alice}/manager/$ref`, { as: 'admin', body: { manager: bob } }), 'BAD_REQUEST');
    expectGraphError(await signoff.api.post('/v1.0/groups', { displayName: '' }, 'admin'), 'BAD_REQUEST');
    expectGraphError(await signoff.api.post('/signoff/v1/directory/import', { users: [{ userPrincipalName: 42 }] }, 'admin'), 'BAD_REQUEST');
    expectGraphError(await signoff.api.patch('/v1.0/users/nobody@contoso.com', { jobTitle: 'x' }, 'admin'), 'PRINCIPAL_NOT_FOUND');
  });

  it('imports users with managers and groups, upserting by UPN and reporting rows it cannot apply', async () => {
    const first = await signoff.api.post('/signoff/v1/directory/import', {
      groups: [{ displayName: 'Platform', description: 'Platform team' }],
      users: [
        { userPrincipalName: 'lead@contoso.com', displayName: 'Lee Lead', groups: ['Platform'] },
        { userPrincipalName: 'dev1@contoso.com', displayName: 'Dee One', manager: 'lead@contoso.com', groups: ['Platform', DEMO.groups.approvers] },
        { userPrincipalName: 'dev2@contoso.com', displayName: 'Dee Two', manager: 'ghost@contoso.com' },
        { userPrincipalName: 'dev1@contoso.com', displayName: 'Dee One again' },
        { userPrincipalName: 'not-a-upn', displayName: 'Nope' },
        { userPrincipalName: 'alice@contoso.com', jobTitle: 'Staff Engineer' },
        { userPrincipalName: 'nameless@contoso.com' },
      ],
    }, 'admin');
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ created: 2, updated: 1, unchanged: 0, failed: 4, groupsCreated: 1, membershipsAdded: 3 });
    expect(first.body.errors.map((e: any) => e.index)).toEqual([2, 3, 4, 6]);
    expect(first.body.errors[0].message).toMatch(/ghost@contoso\.com/);

    const dev1 = (await signoff.api.get('/v1.0/users/dev1@contoso.com/manager', 'admin')).body;
    expect(dev1.userPrincipalName).toBe('lead@contoso.com');
    expect((await signoff.api.get('/v1.0/users/alice@contoso.com', 'admin')).body.jobTitle).toBe('Staff Engineer');
    const approvers = (await signoff.api.get(`/v1.0/groups/${DEMO.groups.approvers}/members`, 'admin')).body.value.map((u: any) => u.userPrincipalName);
    expect(approvers).toContain('dev1@contoso.com');

    const again = await signoff.api.post('/signoff/v1/directory/import', {
      users: [{ userPrincipalName: 'lead@contoso.com', displayName: 'Lee Lead', groups: ['platform'] }, { userPrincipalName: 'dev1@contoso.com', displayName: 'Dee One' }],
    }, 'admin');
    expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 2, failed: 0, groupsCreated: 0, membershipsAdded: 0 });
  });
});
