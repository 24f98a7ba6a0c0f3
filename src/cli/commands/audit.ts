import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Command } from 'commander';
import { parseDuration } from '../../domain/time.js';
import { contextOf } from '../context.js';
import { usageError } from '../exit-codes.js';
import { withExample } from '../program.js';

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

/** `signoff audit export`. */
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
}
