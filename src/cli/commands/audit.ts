import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Command } from 'commander';
import { parseDuration } from '../../domain/time.js';
import { contextOf } from '../context.js';
import { usageError } from '../exit-codes.js';
import { withExample } from '../program.js';
import { type OutputFormat, emit } from '../output.js';
import { type ExportedAuditEvent, verifyExportedAudit } from '../../http/graph/directory-audit-shape.js';

/** An ISO 8601 instant, or a duration back from now (`P7D`, `PT1H`). */
export function sinceInstant(value: string, now: Date = new Date()): string {
  if (/^P/i.test(value)) {
    const ms = parseDuration(value.toUpperCase());
    if (ms === null) throw usageError(`--since '${value}' is not an ISO 8601 duration such as P7D.`);
    return new Date(now.getTime() - ms).toISOString();
  }
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw usageError(`--since '${value}' is neither an ISO 8601 instant nor a duration such as P7D.`);
  return at.toISOString();
}

/** Reads an NDJSON export (a file, or standard input for `-`) as exported audit events. */
async function readExport(path: string): Promise<ExportedAuditEvent[]> {
  const text = path === '-' ? await new Promise<string>((resolve, reject) => {
    let data = '';
    process.stdin.setEncoding('utf8').on('data', (c) => { data += c; }).on('end', () => resolve(data)).on('error', reject);
  }) : await readFile(path, 'utf8');
  return text.split('\n').filter((line) => line.trim() !== '').map((line, i) => {
    try {
      return JSON.parse(line) as ExportedAuditEvent;
    } catch {
      throw usageError(`${path}: line ${i + 1} is not JSON.`);
    }
  });
}

/** `signoff audit export` and `signoff audit verify`. */
export function addAuditCommands(program: Command): void {
  const audit = program.command('audit').description('The tamper-evident audit log.');
  withExample(audit, 'signoff audit export --since P7D > events.ndjson');

  withExample(audit.command('export')
    .description('Stream audit events as NDJSON to standard output (administrators).')
    .option('--since <instant|duration>', 'from this ISO 8601 instant, or this long ago (P7D)')
    .action(async (opts: { since?: string }, command: Command) => {
      const ctx = contextOf(command);
      const since = opts.since === undefined ? undefined : sinceInstant(opts.since);
      const response = await ctx.client.send('GET', '/signoff/v1/audit/export', { query: { since } });
      if (response.body) await pipeline(Readable.fromWeb(response.body as WebReadableStream), process.stdout, { end: false });
    }), 'signoff audit export --since 2026-11-01T00:00:00Z > events.ndjson');

  withExample(audit.command('verify')
    .description('Recompute the hash chain and report the first broken link: of an NDJSON export (offline), or of the server\'s whole log.')
    .argument('[file]', 'an export from `signoff audit export` (- for standard input); without it, ask the server')
    .action(async (file: string | undefined, _opts: unknown, command: Command) => {
      const ctx = contextOf(command);
      if (file === undefined) {
        report(ctx.output, await ctx.client.get<{ valid: boolean; checked: number; firstBrokenLink: unknown }>('/signoff/v1/audit/verify'));
        return;
      }
      const check = verifyExportedAudit(await readExport(file));
      report(ctx.output, { valid: check.broken === null, checked: check.checked, firstBrokenLink: check.broken });
    }), 'signoff audit verify events.ndjson');
}

function report(format: OutputFormat, result: { valid: boolean; checked: number; firstBrokenLink: unknown }): void {
  emit(format, result, () => result.valid
    ? `The chain is intact: ${result.checked} events checked.`
    : `The chain is broken after ${result.checked} good events; first broken link: ${JSON.stringify(result.firstBrokenLink)}`);
  if (!result.valid) process.exitCode = 1;
}
