import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { type Cli, cliFor } from '../support/cli.js';
import { DEMO } from '../support/demo.js';
import { useTestServer } from '../support/server-fixture.js';

const USERS = 10_000;

/** Reports listed before their managers, so the file order alone would not do; quoted fields with commas. */
function peopleCsv(): string {
  const lines = ['userPrincipalName,displayName,jobTitle,manager,groups'];
  for (let i = USERS - 1; i >= 0; i--) {
    const manager = i < 100 ? '' : `person${i % 100}@contoso.com`;
    const groups = i % 10 === 0 ? 'Imported Leads;Approvers' : 'Imported Staff';
    lines.push(`person${i}@contoso.com,"Person ${i}, Imported",Engineer,${manager},${groups}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('signoff directory import', { timeout: 180_000 }, () => {
  const signoff = useTestServer();
  let cli: Cli;
  let admin: string;

  beforeAll(async () => {
    cli = cliFor(signoff.server.url);
    admin = await signoff.api.token('admin');
  });
  afterAll(() => cli?.cleanup());

  it('imports 10,000 users from CSV with managers and groups, printing progress and a summary', async () => {
    const file = join(cli.home, 'people.csv');
    writeFileSync(file, peopleCsv());
    const started = Date.now();
    const run = await cli.run(['directory', 'import', file], { env: { SIGNOFF_TOKEN: admin }, timeoutMs: 120_000 });
    const seconds = (Date.now() - started) / 1000;
    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect(seconds).toBeLessThan(60);

    // stderr is a pipe here, so progress comes as a line per tenth rather than a redrawn bar.
    const progress = run.stderr.trim().split('\n');
    expect(progress[0]).toBe(`Importing: 0/${USERS} (0%)`);
    expect(progress.at(-1)).toBe(`Importing: ${USERS}/${USERS} (100%)`);
    expect(progress.length).toBeGreaterThanOrEqual(5);
    expect(run.stdout).toMatch(new RegExp(`^Imported ${USERS} rows in [\\d.]+s: ${USERS} created, 0 updated, 0 unchanged, 0 failed; 2 groups created, 11000 memberships added\\.\\n$`));

    const lead = await signoff.api.get('/v1.0/users/person7@contoso.com', 'admin');
    expect(lead.body).toMatchObject({ displayName: 'Person 7, Imported', jobTitle: 'Engineer' });
    const report = await signoff.api.get('/v1.0/users/person4507@contoso.com/manager', 'admin');
    expect(report.body.userPrincipalName).toBe('person7@contoso.com');
    const approvers = await signoff.api.get(`/v1.0/groups/${DEMO.groups.approvers}/members?$top=999`, 'admin');
    expect(approvers.body.value.some((u: any) => u.userPrincipalName === 'person9990@contoso.com')).toBe(true);
  });

  it('reports rows it could not import with their file position and exits 1, counting rows already up to date as unchanged', async () => {
    const file = join(cli.home, 'fix.json');
    writeFileSync(file, JSON.stringify([
      { userPrincipalName: 'person1@contoso.com', displayName: 'Person 1, Imported', jobTitle: 'Engineer' },
      { userPrincipalName: 'orphan@contoso.com', displayName: 'Orphan', manager: 'nobody@contoso.com' },
    ]));
    const run = await cli.run(['directory', 'import', file, '--output', 'json'], { env: { SIGNOFF_TOKEN: admin } });
    expect(run.code).toBe(EXIT.error);
    const summary = run.json();
    expect(summary).toMatchObject({ rows: 2, created: 0, updated: 0, unchanged: 1, failed: 1 });
    expect(summary.errors).toEqual([{ index: 1, userPrincipalName: 'orphan@contoso.com', message: expect.stringContaining('nobody@contoso.com') }]);
    expect(run.stderr).toContain('1 of 2 rows were not imported');
  });

  it('exits 4 for a non-admin and leaves the directory alone', async () => {
    const file = join(cli.home, 'one.csv');
    writeFileSync(file, 'userPrincipalName,displayName\nmallory@contoso.com,Mallory\n');
    const run = await cli.run(['directory', 'import', file], { env: { SIGNOFF_TOKEN: await signoff.api.token('dave') } });
    expect(run.code).toBe(EXIT.forbidden);
    expect(run.stderr).toMatch(/HTTP 403 accessDenied, request id/);
    expect((await signoff.api.get('/v1.0/users/mallory@contoso.com', 'admin')).status).toBe(404);
  });
});
