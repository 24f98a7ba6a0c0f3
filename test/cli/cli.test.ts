import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { type Cli, cliFor } from '../support/cli.js';
import { DEMO } from '../support/demo.js';
import { useTestServer } from '../support/server-fixture.js';

// Each run starts a Node process; on a busy machine a handful of them take a while.
describe('the signoff command against a running server', { timeout: 180_000 }, () => {
  const signoff = useTestServer();
  let cli: Cli;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    cli = cliFor(signoff.server.url);
    for (const user of ['alice', 'bob', 'dave'] as const) tokens[user] = await signoff.api.token(user);
  });
  afterAll(() => cli?.cleanup());

  const as = (user: string) => ({ env: { SIGNOFF_TOKEN: tokens[user]! } });

  it('prints a dev token that the server accepts', async () => {
    const run = await cli.run(['token', '--user', 'carol@contoso.com']);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    const me = await signoff.api.call('GET', '/v1.0/me', { token: run.stdout.trim() });
    expect(me.body.userPrincipalName).toBe('carol@contoso.com');
  });

  it('runs a request through approval: create, list pending, approve, then 409 → exit 3 with the server message and request id', async () => {
    const created = await cli.run(['requests', 'create', '--role', 'User Administrator', '--justification', 'Reset a locked-out account', '--duration', 'PT2H', '--output', 'json'], as('alice'));
    expect(created.code, created.stderr).toBe(EXIT.ok);
    const request = created.json();
    expect(request).toMatchObject({ family: 'role', status: 'PendingApproval', roleDefinitionId: DEMO.roles.userAdministrator, principalId: DEMO.users.alice });

    const pending = await cli.run(['approvals', 'list', '-o', 'json'], as('bob'));
    expect(pending.code, pending.stderr).toBe(EXIT.ok);
    expect(pending.json().map((a: any) => a.id)).toContain(request.id);
    const table = await cli.run(['approvals', 'list'], as('bob'));
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+FAMILY\s+STEP\s+STAGE\s+ASSIGNED TO ME$/);
    expect(table.stdout).toContain(request.id);

    const approved = await cli.run(['approvals', 'approve', request.id, '--justification', 'Confirmed with the service desk'], as('bob'));
    expect(approved.code, approved.stderr).toBe(EXIT.ok);
    expect(approved.stdout).toMatch(/^Approved approval /);

    const shown = await cli.run(['requests', 'show', request.id, '--output', 'json'], as('alice'));
    expect(shown.json().status).toBe('Provisioned');
    const mine = await cli.run(['requests', 'list', '--output', 'json'], as('alice'));
    expect(mine.json().find((r: any) => r.id === request.id)).toMatchObject({ family: 'role', status: 'Provisioned' });

    const again = await cli.run(['approvals', 'approve', request.id, '--justification', 'twice'], as('bob'));
    expect(again.code).toBe(EXIT.conflict);
    expect(again.stderr).toMatch(/^signoff: .+\(HTTP 409 \w+, request id [0-9a-f-]{36}\)\n$/);
    expect(again.stdout).toBe('');
  });

  it('exits 4 when the server forbids the decision and 5 when the approval does not exist', async () => {
    const created = await cli.run(['requests', 'create', '--role', DEMO.roles.securityAdministrator, '--justification', 'Audit', '-o', 'json'], as('alice'));
    expect(created.code, created.stderr).toBe(EXIT.ok);
    const selfApproval = await cli.run(['approvals', 'approve', created.json().id, '--justification', 'me'], as('alice'));
    expect(selfApproval.code).toBe(EXIT.forbidden);
    expect(selfApproval.stderr).toMatch(/HTTP 403/);

    const missing = await cli.run(['approvals', 'show', '00000000-0000-0000-0000-000000000bad'], as('bob'));
    expect(missing.code).toBe(EXIT.notFound);
    expect(missing.stderr).toMatch(/HTTP 404 .*request id/);

    const canceled = await cli.run(['requests', 'cancel', created.json().id], as('alice'));
    expect(canceled.code, canceled.stderr).toBe(EXIT.ok);
    expect((await cli.run(['requests', 'show', created.json().id, '-o', 'json'], as('alice'))).json().status).toBe('Canceled');
  });

  it('exits 4 without a token, saying how to sign in', async () => {
    const run = await cli.run(['approvals', 'list', '--family', 'role']);
    expect(run.code).toBe(EXIT.forbidden);
    expect(run.stderr).toMatch(/HTTP 401/);
    expect(run.stderr).toContain('signoff login --user');
  });

  it('exits 2 on usage errors, before calling the server', async () => {
    const cases = [
      ['frobnicate'],
      ['token'],
      ['approvals', 'list', '--output', 'yaml'],
      ['requests', 'create', '--family', 'role'],
      ['requests', 'list', '--family', 'printers'],
      ['directory', 'import', 'does-not-exist.csv'],
      ['login', '--user', 'alice@contoso.com', '--with-token'],
    ];
    // An unreachable server: each of these must fail before any call is made.
    for (const args of cases) {
      const run = await cli.run(args, { env: { SIGNOFF_SERVER: 'http://127.0.0.1:9' } });
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(EXIT.usage);
      expect(run.stderr.length).toBeGreaterThan(0);
    }
    const help = await cli.run(['requests', 'create', '--help']);
    expect(help.code).toBe(EXIT.ok);
    expect(help.stdout).toMatch(/Example:\n {2}\$ signoff requests create/);
  });

  it('stores the login token with 0600 permissions and uses it on later calls', async () => {
    // A file an older release left readable to others never holds the new token: it is replaced whole.
    const file = join(cli.home, '.config', 'signoff', 'config.json');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '{}\n', { mode: 0o644 });
    const looseInode = statSync(file).ino;
    const login = await cli.run(['login', '--user', 'bob@contoso.com']);
    expect(login.code, login.stderr).toBe(EXIT.ok);
    expect(login.stdout).toContain(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(file).ino).not.toBe(looseInode);
    expect(readdirSync(dirname(file))).toEqual(['config.json']);
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    expect(stored.tokens[signoff.server.url]).toMatchObject({ user: 'bob@contoso.com' });

    const list = await cli.run(['approvals', 'list', '-o', 'json']);
    expect(list.code, list.stderr).toBe(EXIT.ok);
    expect(Array.isArray(list.json())).toBe(true);

    const oidc = await cli.run(['login']);
    expect(oidc.code).toBe(EXIT.error);
    expect(oidc.stderr).toMatch(/external OIDC issuer/);
    expect((await cli.run(['logout'])).code).toBe(EXIT.ok);
    expect(JSON.parse(readFileSync(file, 'utf8')).tokens[signoff.server.url]).toBeUndefined();
  });
});
