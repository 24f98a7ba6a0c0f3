import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { usageError } from '../exit-codes.js';
import { type Column, emit, renderFields, renderTable } from '../output.js';
import { withExample } from '../program.js';

const POLICIES = '/signoff/v1/policies';

type Policy = Record<string, any>;

const stagesOf = (p: Policy): unknown[] => p.approval?.stages ?? p.stages ?? [];

const COLUMNS: Column<Policy>[] = [
  { header: 'id', value: (p) => p.id, max: 80 },
  { header: 'family', value: (p) => p.family ?? p.target?.family },
  { header: 'target', value: (p) => p.displayName ?? p.target?.resourceId ?? p.resourceId, max: 40 },
  { header: 'mode', value: (p) => p.approval?.mode ?? p.mode },
  { header: 'stages', value: (p) => stagesOf(p).length },
  { header: 'version', value: (p) => p.version },
];

/** The PATCH body from --file (a path, or - for stdin) or --json. */
function patchBody(opts: { file?: string; json?: string }): unknown {
  if ((opts.file === undefined) === (opts.json === undefined)) throw usageError('Give the changes with exactly one of --file <path|-> or --json <object>.');
  const text = opts.json ?? readFileSync(opts.file === '-' ? 0 : opts.file!, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw usageError(`The policy changes are not valid JSON: ${(error as Error).message}`);
  }
}

/** `signoff policies list|show|set`, on Signoff's own policy API. */
export function addPoliciesCommands(program: Command): void {
  const policies = program.command('policies').description('Approval policies (administrators change them).');
  withExample(policies, 'signoff policies list');

  withExample(policies.command('list')
    .description('List the approval policies.')
    .action(async (_opts: unknown, command: Command) => {
      const ctx = contextOf(command);
      const items = await ctx.client.collect<Policy>(POLICIES);
      emit(ctx.output, items, () => renderTable(items, COLUMNS));
    }), 'signoff policies list --output json');

  withExample(policies.command('show <id>')
    .description('Show one policy with its stages.')
    .action(async (id: string, _opts: unknown, command: Command) => {
      const ctx = contextOf(command);
      const policy = await ctx.client.get<Policy>(`${POLICIES}/${encodeURIComponent(id)}`);
      emit(ctx.output, policy, () => renderFields(Object.entries(policy).filter(([k]) => !k.startsWith('@odata.'))));
    }), 'signoff policies show 0b5c…');

  withExample(policies.command('set <id>')
    .description('Change a policy (PATCH): new requests follow it, approvals in flight keep theirs.')
    .option('--file <path>', 'a JSON file with the changes, or - for standard input')
    .option('--json <object>', 'the changes inline')
    .action(async (id: string, opts: { file?: string; json?: string }, command: Command) => {
      const ctx = contextOf(command);
      const body = patchBody(opts);
      const updated = await ctx.client.json<Policy | undefined>('PATCH', `${POLICIES}/${encodeURIComponent(id)}`, { body });
      emit(ctx.output, updated ?? { id, updated: true }, () => `Updated policy ${id}${updated?.version !== undefined ? ` (version ${updated.version})` : ''}.\n`);
    }), `signoff policies set 0b5c… --json '{"approval":{"mode":"SingleStage"}}'`, 'signoff policies set 0b5c… --file policy.json');
}
