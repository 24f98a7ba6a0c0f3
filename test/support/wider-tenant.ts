import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { DEMO_TENANT_PATH } from '../../src/tenant/seed-tenant.js';
import { DEMO } from './demo.js';
import { type ServerFixture, useTestServer } from './server-fixture.js';
import type { TestServerOptions } from './test-server.js';

/**
 * The demo tenant where carol, dave and admin may ask for everything alice may, and everyone but
 * bob reports to bob: enough requestors to fill an approver's inbox past one page. Written to
 * `dir`; pass the path as SIGNOFF_TENANT with `demo: false`.
 */
export function writeWiderTenantFile(dir: string): string {
  const { alice, bob, carol, dave, admin } = DEMO.users;
  const tenant = JSON.parse(readFileSync(DEMO_TENANT_PATH, 'utf8'));
  for (const user of tenant.users) if (user.id !== bob) user.managerId = bob;
  const aliceEligibilities = tenant.eligibilities.filter((e: { principalId: string }) => e.principalId === alice);
  for (const principalId of [carol, dave, admin]) tenant.eligibilities.push(...aliceEligibilities.map((e: object) => ({ ...e, principalId })));
  const path = join(dir, 'tenant.json');
  writeFileSync(path, JSON.stringify(tenant));
  return path;
}

/** useTestServer on the wider tenant, written to a temporary directory that is removed after the server. */
export function useWiderTenantServer(options: TestServerOptions = {}): ServerFixture {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'signoff-tenant-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return useTestServer(() => ({ ...options, demo: false, env: { ...options.env, SIGNOFF_TENANT: writeWiderTenantFile(dir) } }));
}
