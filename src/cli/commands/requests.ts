import type { Command } from 'commander';
import { type CliContext, contextOf } from '../context.js';
import { usageError } from '../exit-codes.js';
import { type FamilyApi, FAMILY_APIS, collectAcross, familiesOf, findAcross, parseFamily } from '../families.js';
import { type Column, emit, renderFields, renderTable } from '../output.js';
import { withExample } from '../program.js';

interface CreateOptions {
  family: string;
  role?: string;
  group?: string;
  access: string;
  accessPackage?: string;
  assignmentPolicy?: string;
  justification?: string;
  duration: string;
  start?: string;
  ticket?: string;
  ticketSystem?: string;
}

type Tagged = { api: FamilyApi; item: any };

const COLUMNS: Column<Tagged>[] = [
  { header: 'id', value: (r) => r.item.id, max: 36 },
  { header: 'family', value: (r) => r.api.family },
  { header: 'target', value: (r) => r.api.target(r.item), max: 50 },
  { header: 'status', value: (r) => r.api.status(r.item) },
  { header: 'created', value: (r) => r.item.createdDateTime },
  { header: 'justification', value: (r) => r.item.justification, max: 40 },
];

function withFamily(r: Tagged): object {
  return { family: r.api.family, ...r.item };
}

/** A role by id, template id or display name (case-insensitive), from the role definitions the server lists. */
async function roleId(ctx: CliContext, ref: string): Promise<string> {
  const roles = await ctx.client.collect<{ id: string; templateId?: string; displayName: string }>('/beta/roleManagement/directory/roleDefinitions');
  const found = roles.find((r) => r.id.toLowerCase() === ref.toLowerCase() || r.templateId?.toLowerCase() === ref.toLowerCase() || r.displayName.toLowerCase() === ref.toLowerCase());
  if (!found) throw usageError(`No role '${ref}'. Known roles: ${roles.map((r) => r.displayName).join(', ')}.`);
  return found.id;
}

async function myId(ctx: CliContext): Promise<string> {
  return (await ctx.client.get<{ id: string }>('/v1.0/me')).id;
}

async function assignmentPolicyFor(ctx: CliContext, packageId: string): Promise<string> {
  const all = await ctx.client.collect<{ id: string; accessPackageId?: string }>('/beta/identityGovernance/entitlementManagement/accessPackageAssignmentPolicies');
  const policies = all.filter((p) => p.accessPackageId?.toLowerCase() === packageId.toLowerCase());
  if (policies.length !== 1) throw usageError(`Access package '${packageId}' has ${policies.length} assignment policies; name one with --assignment-policy.`);
  return policies[0]!.id;
}

/** The request body for the family; options are checked before anything is asked of the server. */
async function createBody(ctx: CliContext, opts: CreateOptions): Promise<{ api: FamilyApi; body: object }> {
  const family = parseFamily(opts.family);
  const schedule = { startDateTime: opts.start ?? null, expiration: { type: 'afterDuration', duration: opts.duration } };
  const ticketInfo = opts.ticket ? { ticketNumber: opts.ticket, ticketSystem: opts.ticketSystem ?? null } : undefined;
  const justification = opts.justification ?? null;
  switch (family) {
    case 'role':
      if (!opts.role) throw usageError('--role is required for --family role.');
      return { api: FAMILY_APIS.role, body: { action: 'selfActivate', principalId: await myId(ctx), roleDefinitionId: await roleId(ctx, opts.role), directoryScopeId: '/', justification, scheduleInfo: schedule, ...(ticketInfo ? { ticketInfo } : {}) } };
    case 'group':
      if (!opts.group) throw usageError('--group is required for --family group.');
      return { api: FAMILY_APIS.group, body: { action: 'selfActivate', accessId: opts.access, principalId: await myId(ctx), groupId: opts.group, justification, scheduleInfo: schedule, ...(ticketInfo ? { ticketInfo } : {}) } };
    case 'accessPackage': {
      if (!opts.accessPackage) throw usageError('--access-package is required for --family accessPackage.');
      const assignmentPolicyId = opts.assignmentPolicy ?? await assignmentPolicyFor(ctx, opts.accessPackage);
      return { api: FAMILY_APIS.accessPackage, body: { requestType: 'UserAdd', justification, accessPackageAssignment: { targetId: await myId(ctx), accessPackageId: opts.accessPackage, assignmentPolicyId } } };
    }
  }
}

function showRequest(ctx: CliContext, found: Tagged): void {
  const r = found.item;
  emit(ctx.output, withFamily(found), () => renderFields([
    ['id', r.id], ['family', found.api.family], ['status', found.api.status(r)], ['target', found.api.target(r)], ['principal', found.api.principal(r)],
    ['approval', r.approvalId ?? r.id], ['justification', r.justification], ['created', r.createdDateTime], ['schedule', r.scheduleInfo ?? r.schedule],
  ]));
}

/** `signoff requests create|list|show|cancel`. */
export function addRequestsCommands(program: Command): void {
  const requests = program.command('requests').description('Your access requests: roles, groups and access packages.');
  withExample(requests, 'signoff requests list');

  withExample(requests.command('create')
    .description('Ask for a role, a group membership or an access package.')
    .option('--family <family>', 'role, group or accessPackage', 'role')
    .option('--role <id|name>', 'directory role (id or display name), for --family role')
    .option('--group <id>', 'group id, for --family group')
    .option('--access <member|owner>', 'group relationship, for --family group', 'member')
    .option('--access-package <id>', 'access package id, for --family accessPackage')
    .option('--assignment-policy <id>', 'the access package assignment policy (default: its only one)')
    .option('--justification <text>', 'why you need it')
    .option('--duration <iso8601>', 'how long, as an ISO 8601 duration', 'PT1H')
    .option('--start <iso8601>', 'when it starts (default now)')
    .option('--ticket <number>', 'ticket number')
    .option('--ticket-system <name>', 'ticket system')
    .action(async (opts: CreateOptions, command: Command) => {
      const ctx = contextOf(command);
      const { api, body } = await createBody(ctx, opts);
      const created = await ctx.client.json('POST', api.requests, { body });
      showRequest(ctx, { api, item: created });
    }), 'signoff requests create --role "User Administrator" --justification "Reset a locked-out account" --duration PT2H',
  'signoff requests create --family group --group 77dc31b1-7e5f-4af0-83a3-f7be31c4bae0 --justification "On call"');

  withExample(requests.command('list')
    .description('List your requests (all of them with --all, for administrators).')
    .option('--family <family>', 'only role, group or accessPackage')
    .option('--all', "everyone's requests (administrators see all; others their own)")
    .action(async (opts: { family?: string; all?: boolean }, command: Command) => {
      const ctx = contextOf(command);
      const found = await collectAcross<any>(ctx.client, familiesOf(opts.family), (api) => `${opts.all ? api.requests : api.mine}${api.expand}`);
      found.sort((a, b) => String(b.item.createdDateTime).localeCompare(String(a.item.createdDateTime)));
      emit(ctx.output, found.map(withFamily), () => renderTable(found, COLUMNS));
    }), 'signoff requests list --family role --output json');

  withExample(requests.command('show <id>')
    .description('Show one request.')
    .option('--family <family>', 'role, group or accessPackage (default: look in each)')
    .action(async (id: string, opts: { family?: string }, command: Command) => {
      const ctx = contextOf(command);
      showRequest(ctx, await findAcross<any>(ctx.client, familiesOf(opts.family), (api) => `${api.requests}/${encodeURIComponent(id)}${api.expand}`));
    }), 'signoff requests show 5f0c…');

  withExample(requests.command('cancel <id>')
    .description('Cancel a request that is still pending.')
    .option('--family <family>', 'role, group or accessPackage (default: look in each)')
    .action(async (id: string, opts: { family?: string }, command: Command) => {
      const ctx = contextOf(command);
      const { api } = await findAcross<any>(ctx.client, familiesOf(opts.family), (a) => `${a.requests}/${encodeURIComponent(id)}`);
      await ctx.client.send('POST', `${api.requests}/${encodeURIComponent(id)}/cancel`);
      emit(ctx.output, { id, family: api.family, canceled: true }, () => `Canceled request ${id}.\n`);
    }), 'signoff requests cancel 5f0c…');
}
