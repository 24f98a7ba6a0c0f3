import type { Command } from 'commander';
import { loadTenantFile } from '../../tenant/seed-tenant.js';
import { TENANT_SCHEMA_FILE, tenantJsonSchemaText } from '../../tenant/tenant-schema.js';
import { withExample } from '../program.js';

/** `signoff tenant schema|validate`: the tenant file format, for editors and CI. Works offline. */
export function addTenantCommands(program: Command): void {
  const tenant = program.command('tenant').description('Tenant files (JSON): the users, groups, roles, eligibilities and policies `serve --tenant` seeds.');

  withExample(tenant.command('schema')
    .description(`Print the tenant file's JSON Schema (published as ${TENANT_SCHEMA_FILE}).`)
    .action(() => {
      process.stdout.write(tenantJsonSchemaText());
    }), `signoff tenant schema > ${TENANT_SCHEMA_FILE}`);

  withExample(tenant.command('validate')
    .description('Check a tenant file against the schema and its cross-references; names the bad field and exits 1.')
    .argument('<file>', 'the tenant file (JSON)')
    .action((file: string) => {
      const parsed = loadTenantFile(file);
      process.stdout.write(`${file}: valid (${parsed.users.length} users, ${parsed.groups.length} groups, ${parsed.policies.length} policies, ${parsed.eligibilities.length} eligibilities)\n`);
    }), 'signoff tenant validate my-tenant.json');
}
