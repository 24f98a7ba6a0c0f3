import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { type Cli, cliFor } from '../support/cli.js';
import { DEMO } from '../support/demo.js';
import { activationBody } from '../support/http.js';
import { useTestServer } from '../support/server-fixture.js';

describe('signoff audit export and verify', { timeout: 180_000 }, () => {
  const signoff = useTestServer();
  let cli: Cli;
  let admin: string;

  beforeAll(async () => {
    cli = cliFor(signoff.server.url);
    const { api } = signoff;
    admin = await api.token('admin');
    const created = (await api.post('/beta/roleManagement/directory/roleAssignmentScheduleRequests', activationBody(DEMO.roles.userAdministrator, DEMO.users.alice), 'alice')).body;
    const [step] = (await api.get(`/beta/roleManagement/directory/roleAssignmentApprovals/${created.id}/steps`, 'bob')).body.value;
    await api.patch(`/beta/roleManagement/directory/roleAssignmentApprovals/${created.id}/steps/${step.id}`, { reviewResult: 'Deny', justification: 'not today' }, 'bob');
  });
  afterAll(() => cli?.cleanup());

  it('verifies an export offline, and names the first event that was edited after export', async () => {
    const env = { env: { SIGNOFF_TOKEN: admin } };
    const exported = await cli.run(['audit', 'export'], env);
    expect(exported.code, exported.stderr).toBe(EXIT.ok);
    const lines = exported.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(4);
    const file = join(cli.home, 'events.ndjson');
    writeFileSync(file, exported.stdout);

    const intact = await cli.run(['audit', 'verify', file, '--output', 'json']);
    expect(intact.code, intact.stderr).toBe(EXIT.ok);
    expect(intact.json()).toEqual({ valid: true, checked: lines.length, firstBrokenLink: null });

    // The deny is rewritten as an approve in the exported copy.
    const events = lines.map((l) => JSON.parse(l));
    const index = events.findIndex((e) => e.action === 'stage.decided');
    const tampered = events.map((e, i) => (i === index ? { ...e, after: JSON.parse(JSON.stringify(e.after).replace('Deny', 'Approve')) } : e));
    writeFileSync(file, `${tampered.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const broken = await cli.run(['audit', 'verify', file, '--output', 'json']);
    expect(broken.code).toBe(EXIT.error);
    expect(broken.json()).toMatchObject({ valid: false, checked: index, firstBrokenLink: { id: events[index].id, reason: 'hashMismatch' } });

    const online = await cli.run(['audit', 'verify'], env);
    expect(online.code, online.stderr).toBe(EXIT.ok);
    expect(online.stdout).toMatch(/intact/);
  });
});
