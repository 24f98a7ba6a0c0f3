import type { Command } from 'commander';
import { type CliContext, contextOf } from '../context.js';
import { CliError } from '../exit-codes.js';
import { type FamilyApi, collectAcross, familiesOf, findAcross } from '../families.js';
import { type Column, emit, renderFields, renderTable } from '../output.js';
import { withExample } from '../program.js';

interface Step {
  id: string;
  status: string;
  assignedToMe?: boolean;
  reviewResult: string;
  reviewedBy?: { displayName?: string; userPrincipalName?: string } | null;
  reviewedDateTime?: string | null;
  justification?: string;
  displayName?: string | null;
}

interface Approval {
  id: string;
  steps?: Step[];
  stages?: Step[];
}

type Tagged = { api: FamilyApi; item: Approval };

const stepsOf = (a: Approval): Step[] => a.steps ?? a.stages ?? [];
const currentStep = (a: Approval): Step | undefined => stepsOf(a).find((s) => s.status === 'InProgress');

const COLUMNS: Column<Tagged>[] = [
  { header: 'id', value: (r) => r.item.id, max: 36 },
  { header: 'family', value: (r) => r.api.family },
  { header: 'step', value: (r) => currentStep(r.item)?.id, max: 36 },
  { header: 'stage', value: (r) => { const steps = stepsOf(r.item); const i = steps.findIndex((s) => s.status === 'InProgress'); return i < 0 ? '' : `${i + 1}/${steps.length}`; } },
  { header: 'assigned to me', value: (r) => (currentStep(r.item)?.assignedToMe ? 'yes' : 'no') },
];

const STEP_COLUMNS: Column<Step>[] = [
  { header: 'step', value: (s) => s.id, max: 36 },
  { header: 'status', value: (s) => s.status },
  { header: 'result', value: (s) => s.reviewResult },
  { header: 'reviewed by', value: (s) => s.reviewedBy?.userPrincipalName ?? s.reviewedBy?.displayName },
  { header: 'when', value: (s) => s.reviewedDateTime },
  { header: 'justification', value: (s) => s.justification, max: 40 },
];

async function findApproval(ctx: CliContext, id: string, family: string | undefined): Promise<Tagged> {
  return findAcross<Approval>(ctx.client, familiesOf(family), (api) => `${api.approvals}/${encodeURIComponent(id)}`);
}

/**
 * The step a decision goes to: the caller's open step, else any open step, else the last decided
 * one — so the server, not the CLI, answers "not yours" (403) or "already decided" (409).
 */
function stepToDecide(approval: Approval): Step | undefined {
  const steps = stepsOf(approval);
  return steps.find((s) => s.status === 'InProgress' && s.assignedToMe) ?? steps.find((s) => s.status === 'InProgress')
    ?? [...steps].reverse().find((s) => s.reviewResult !== 'NotReviewed') ?? steps.at(-1);
}

async function decide(ctx: CliContext, id: string, opts: { family?: string; step?: string; justification?: string }, reviewResult: 'Approve' | 'Deny'): Promise<void> {
  const { api, item } = await findApproval(ctx, id, opts.family);
  const stepId = opts.step ?? stepToDecide(item)?.id;
  if (!stepId) throw new CliError(`Approval ${id} has no steps.`);
  const child = item.steps ? 'steps' : 'stages';
  await ctx.client.send('PATCH', `${api.approvals}/${encodeURIComponent(id)}/${child}/${encodeURIComponent(stepId)}`, {
    body: { reviewResult, ...(opts.justification !== undefined ? { justification: opts.justification } : {}) },
  });
  const verb = reviewResult === 'Approve' ? 'Approved' : 'Denied';
  emit(ctx.output, { id, family: api.family, stepId, reviewResult }, () => `${verb} approval ${id} (step ${stepId}).\n`);
}

function decisionCommand(parent: Command, name: 'approve' | 'deny'): Command {
  return parent.command(`${name} <id>`)
    .description(`${name === 'approve' ? 'Approve' : 'Deny'} the step of an approval that is waiting for you.`)
    .option('--justification <text>', 'why (required where the policy says so)')
    .option('--step <stepId>', 'the step to decide (default: the one waiting for you)')
    .option('--family <family>', 'role, group or accessPackage (default: look in each)')
    .action(async (id: string, opts: { family?: string; step?: string; justification?: string }, command: Command) => {
      await decide(contextOf(command), id, opts, name === 'approve' ? 'Approve' : 'Deny');
    });
}

/** `signoff approvals list|show|approve|deny`. */
export function addApprovalsCommands(program: Command): void {
  const approvals = program.command('approvals').description('Approvals waiting for you, and your decisions.');
  withExample(approvals, 'signoff approvals list');

  withExample(approvals.command('list')
    .description('List the approvals pending for you, in every family.')
    .option('--family <family>', 'only role, group or accessPackage')
    .action(async (opts: { family?: string }, command: Command) => {
      const ctx = contextOf(command);
      const found = await collectAcross<Approval>(ctx.client, familiesOf(opts.family), (api) => `${api.approvals}/filterByCurrentUser(on='approver')`);
      emit(ctx.output, found.map((r) => ({ family: r.api.family, ...r.item })), () => renderTable(found, COLUMNS));
    }), 'signoff approvals list --output json | jq -r ".[].id"');

  withExample(approvals.command('show <id>')
    .description('Show an approval and its steps.')
    .option('--family <family>', 'role, group or accessPackage (default: look in each)')
    .action(async (id: string, opts: { family?: string }, command: Command) => {
      const ctx = contextOf(command);
      const { api, item } = await findApproval(ctx, id, opts.family);
      emit(ctx.output, { family: api.family, ...item }, () => `${renderFields([['id', item.id], ['family', api.family]])}\n${renderTable(stepsOf(item), STEP_COLUMNS)}`);
    }), 'signoff approvals show 5f0c…');

  withExample(decisionCommand(approvals, 'approve'), 'signoff approvals approve 5f0c… --justification "Confirmed with the service desk"');
  withExample(decisionCommand(approvals, 'deny'), 'signoff approvals deny 5f0c… --justification "Not during the freeze"');
}
