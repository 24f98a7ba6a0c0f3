import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_DEV_SCOPES } from '../../src/auth/dev-issuer.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { type Cli, cliFor } from '../support/cli.js';
import { DEMO } from '../support/demo.js';
import { OidcProvider } from '../support/oidc-provider.js';
import { useTestServer } from '../support/server-fixture.js';
import { startTestServer } from '../support/test-server.js';

const AUDIENCE = 'api://signoff-cli-test';
const CLIENT_ID = 'signoff-cli';
const SCOPES = ALL_DEV_SCOPES.join(' ');

describe('signoff login against an external OpenID issuer (device authorization grant)', () => {
  let provider: OidcProvider;
  let cli: Cli;

  beforeAll(async () => {
    provider = await OidcProvider.start();
    provider.client = { clientId: CLIENT_ID, audience: AUDIENCE, key: await provider.addKey('key-1') };
  });
  afterAll(async () => provider?.close());
  const signoff = useTestServer(() => ({ env: { SIGNOFF_OIDC_ISSUER: provider.issuer, SIGNOFF_OIDC_AUDIENCE: AUDIENCE, SIGNOFF_OIDC_CLIENT_ID: CLIENT_ID } }));
  beforeAll(() => {
    cli = cliFor(signoff.server.url);
  });
  afterAll(() => cli?.cleanup());

  it('shows the code, waits for the person to approve it, slows down when asked, and stores the token 0600', async () => {
    provider.deviceInterval = 1;
    provider.deviceSlowDowns = 1;
    const pollsBefore = provider.devicePolls.length;
    const started = provider.nextDeviceRequest();
    const login = cli.run(['login'], { timeoutMs: 30_000 });
    const userCode = await started;
    provider.approveDevice(userCode, { oid: DEMO.users.bob, scp: SCOPES });
    const run = await login;

    expect(run.code, run.stderr).toBe(EXIT.ok);
    expect(run.stderr).toContain(`open ${provider.issuer}/device and enter the code ${userCode}`);
    expect(run.stdout).toContain('as bob@contoso.com');
    // RFC 8628 §3.5: after `slow_down` the client waits 5 seconds longer than before.
    const polls = provider.devicePolls.slice(pollsBefore);
    expect(polls.length).toBeGreaterThanOrEqual(2);
    expect(polls[1]! - polls[0]!).toBeGreaterThanOrEqual(5_500);

    const file = join(cli.home, '.config', 'signoff', 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).tokens[signoff.server.url]).toMatchObject({ user: 'bob@contoso.com' });
    const list = await cli.run(['approvals', 'list', '-o', 'json']);
    expect(list.code, list.stderr).toBe(EXIT.ok);
    expect(Array.isArray(list.json())).toBe(true);
  }, 40_000);

  it('gives up when the code expires before anyone enters it', async () => {
    provider.deviceSlowDowns = 0;
    provider.deviceExpiresIn = 1;
    const run = await cli.run(['login', '-o', 'json'], { timeoutMs: 20_000 });
    provider.deviceExpiresIn = 600;
    expect(run.code).toBe(EXIT.error);
    expect(run.stderr).toMatch(/code expired/);
    expect(run.stdout).toBe('');
  });

  it('says what is missing when the server has no client registered at its issuer', async () => {
    const bare = await startTestServer({ env: { SIGNOFF_OIDC_ISSUER: provider.issuer, SIGNOFF_OIDC_AUDIENCE: AUDIENCE } });
    try {
      const config = await (await fetch(`${bare.url}/web/config.json`)).json();
      expect(config).toMatchObject({ mode: 'oidc', clientId: null, authorizationEndpoint: null, tokenEndpoint: null, deviceAuthorizationEndpoint: null });
      const run = await cli.run(['login'], { env: { SIGNOFF_SERVER: bare.url }, timeoutMs: 20_000 });
      expect(run.code).toBe(EXIT.error);
      expect(run.stderr).toContain('no client is configured for it (SIGNOFF_OIDC_CLIENT_ID)');
    } finally {
      await bare.destroy();
    }
  });
});
