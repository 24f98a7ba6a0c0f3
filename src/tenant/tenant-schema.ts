import { TenantFileSchema } from './tenant-file.js';

/** Where the published schema lives in the repository, next to the demo tenant. */
export const TENANT_SCHEMA_FILE = 'tenants/tenant.schema.json';

/**
 * The tenant file's JSON Schema as published: the same TypeBox schema the server validates with
 * (TypeBox schemas are JSON Schema), so the two cannot disagree.
 */
export function tenantJsonSchema(): object {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Signoff tenant file',
    description: 'Users, groups, managers, roles, groups, access packages, eligibilities and approval policies that `signoff serve --tenant <file>` seeds.',
    ...(JSON.parse(JSON.stringify(TenantFileSchema)) as object),
  };
}

export function tenantJsonSchemaText(): string {
  return `${JSON.stringify(tenantJsonSchema(), null, 2)}\n`;
}
