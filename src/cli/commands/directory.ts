import { type Command, InvalidArgumentError } from 'commander';
import { contextOf } from '../context.js';
import { type ImportRow, CSV_COLUMNS, readDirectoryFile } from '../directory-file.js';
import { CliError } from '../exit-codes.js';
import { emit } from '../output.js';
import { progressReporter } from '../progress.js';
import { withExample } from '../program.js';

/** The server takes at most this many rows per call. */
const MAX_BATCH = 1000;

interface BatchResult {
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  groupsCreated: number;
  membershipsAdded: number;
  errors: { index: number; userPrincipalName: string | null; message: string }[];
}

const SHOWN_ERRORS = 20;

function batchSize(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_BATCH) throw new InvalidArgumentError(`must be a whole number from 1 to ${MAX_BATCH}.`);
  return n;
}

function summaryLine(total: number, s: BatchResult, seconds: number): string {
  return `Imported ${total} rows in ${seconds.toFixed(1)}s: ${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged, ${s.failed} failed; `
    + `${s.groupsCreated} groups created, ${s.membershipsAdded} memberships added.\n`;
}

/** `signoff directory import`. */
export function addDirectoryCommands(program: Command): void {
  const directory = program.command('directory').description('Manage the directory of a self-hosted Signoff (administrators).');
  withExample(directory, 'signoff directory import people.csv');

  withExample(directory.command('import <file>')
    .description(`Create or update users (by userPrincipalName) with managers and groups, from JSON or CSV (header: ${CSV_COLUMNS.join(',')}; groups separated by ';').`)
    .option('--batch-size <rows>', `rows per request (1-${MAX_BATCH})`, batchSize, 500)
    .action(async (file: string, opts: { batchSize: number }, command: Command) => {
      const ctx = contextOf(command);
      const { users, groups, positions } = readDirectoryFile(file);
      const started = Date.now();
      const total: BatchResult = { created: 0, updated: 0, unchanged: 0, failed: 0, groupsCreated: 0, membershipsAdded: 0, errors: [] };
      const progress = progressReporter(users.length, 'Importing');
      progress.update(0);
      for (let offset = 0; offset < users.length || (offset === 0 && groups.length > 0); offset += opts.batchSize) {
        const batch: ImportRow[] = users.slice(offset, offset + opts.batchSize);
        const result = await ctx.client.json<BatchResult>('POST', '/signoff/v1/directory/import', { body: { users: batch, ...(offset === 0 && groups.length ? { groups } : {}) } });
        for (const key of ['created', 'updated', 'unchanged', 'failed', 'groupsCreated', 'membershipsAdded'] as const) total[key] += result[key];
        // The server numbers rows within its batch; the file's numbering is what a person can find.
        total.errors.push(...result.errors.map((e) => ({ ...e, index: positions?.[offset + e.index] ?? offset + e.index })));
        progress.update(Math.min(offset + batch.length, users.length));
        if (users.length === 0) break;
      }
      progress.finish();
      total.errors.sort((a, b) => a.index - b.index);
      const seconds = (Date.now() - started) / 1000;
      emit(ctx.output, { rows: users.length, seconds, ...total }, () => summaryLine(users.length, total, seconds));
      if (ctx.output === 'table') {
        for (const e of total.errors.slice(0, SHOWN_ERRORS)) process.stderr.write(`  row ${e.index + 1}${e.userPrincipalName ? ` (${e.userPrincipalName})` : ''}: ${e.message}\n`);
        if (total.errors.length > SHOWN_ERRORS) process.stderr.write(`  … and ${total.errors.length - SHOWN_ERRORS} more; --output json lists them all.\n`);
      }
      if (total.failed > 0) throw new CliError(`${total.failed} of ${users.length} rows were not imported.`);
    }), 'signoff directory import people.csv', 'signoff directory import people.json --output json > import-report.json');
}
