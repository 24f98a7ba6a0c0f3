import { type Command, InvalidArgumentError } from 'commander';
import { type CliContext, contextOf } from '../context.js';
import { ApiCallError, type CallOptions } from '../http-client.js';
import { type Column, emit, renderFields, renderTable } from '../output.js';
import { withExample } from '../program.js';

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number.');
  return n;
}

function fraction(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('must be between 0 and 1.');
  return n;
}

/** `/dev/*` without a token; a server with an external issuer has no such routes, and says why. */
async function devCall<T = any>(ctx: CliContext, method: string, path: string, options: CallOptions = {}): Promise<T> {
  try {
    return await ctx.client.json<T>(method, path, { ...options, anonymous: true });
  } catch (error) {
    if (error instanceof ApiCallError && error.status === 404 && /^No resource at/.test(error.serverMessage)) {
      throw new ApiCallError(404, error.code, `${ctx.client.server} has no ${path}: it is not in dev mode (an external OIDC issuer is configured).`, error.requestId);
    }
    throw error;
  }
}

const RULE_COLUMNS: Column<any>[] = [
  { header: 'id', value: (r) => r.id, max: 36 },
  { header: 'method', value: (r) => r.match.method ?? '*' },
  { header: 'path', value: (r) => r.match.path ?? '**', max: 50 },
  { header: 'respond', value: (r) => r.respond },
  { header: 'rate', value: (r) => r.rate },
  { header: 'seed', value: (r) => r.seed },
  { header: 'remaining', value: (r) => r.remaining ?? '∞' },
  { header: 'hits', value: (r) => `${r.hits}/${r.matched}` },
];

const REQUEST_COLUMNS: Column<any>[] = [
  { header: 'at', value: (e) => e.at },
  { header: 'method', value: (e) => e.method },
  { header: 'status', value: (e) => e.status },
  { header: 'ms', value: (e) => e.latencyMs },
  { header: 'caller', value: (e) => e.caller?.userPrincipalName ?? '-' },
  { header: 'fault', value: (e) => e.fault ?? '', max: 36 },
  { header: 'path', value: (e) => `${e.path}${e.query ? `?${e.query}` : ''}`, max: 100 },
];

interface FaultOptions {
  method?: string; path?: string; status?: number; retryAfter?: number; delayMs?: number; code?: string;
  rate?: number; seed?: number; times?: number; json?: string;
}

function ruleFrom(o: FaultOptions): unknown {
  if (o.json) return JSON.parse(o.json);
  // JSON drops the options left out, so the server applies its defaults.
  return JSON.parse(JSON.stringify({
    match: { method: o.method, path: o.path },
    respond: { status: o.status, retryAfter: o.retryAfter, delayMs: o.delayMs, code: o.code },
    rate: o.rate, seed: o.seed, times: o.times,
  }));
}

/** `signoff dev …`: a running emulator's state, injected faults and request log, for shells and CI. */
export function addDevCommands(program: Command): void {
  const dev = program.command('dev').description('Control a running emulator (dev mode): reset, snapshots, injected faults, request log.');
  withExample(dev, 'id=$(signoff dev snapshot) && npm test && signoff dev restore $id');

  dev.command('reset').description('Go back to the tenant the server was started with.').action(async (_o: object, command: Command) => {
    const ctx = contextOf(command);
    const result = await devCall(ctx, 'POST', '/dev/reset');
    emit(ctx.output, result, () => `reset (${result.tookMs} ms)\n`);
  });

  dev.command('snapshot').description('Save the current state; prints the snapshot id.').action(async (_o: object, command: Command) => {
    const ctx = contextOf(command);
    const info = await devCall(ctx, 'POST', '/dev/snapshot');
    emit(ctx.output, info, () => `${info.id}\n`);
  });

  dev.command('snapshots').description('List saved snapshots, newest first.').action(async (_o: object, command: Command) => {
    const ctx = contextOf(command);
    const { value } = await devCall(ctx, 'GET', '/dev/snapshots');
    emit(ctx.output, value, () => renderTable(value, [
      { header: 'id', value: (s: any) => s.id }, { header: 'taken at', value: (s: any) => s.takenAt }, { header: 'rows', value: (s: any) => s.rows },
    ]));
  });

  dev.command('restore').description('Bring back a saved snapshot.').argument('<id>', 'the id `signoff dev snapshot` printed')
    .action(async (id: string, _o: object, command: Command) => {
      const ctx = contextOf(command);
      const result = await devCall(ctx, 'POST', `/dev/snapshot/${encodeURIComponent(id)}/restore`);
      emit(ctx.output, result, () => `restored ${id} (${result.tookMs} ms)\n`);
    });

  const faults = dev.command('faults').description('List injected fault rules (add and clear them with the subcommands).')
    .action(async (_o: object, command: Command) => {
      const ctx = contextOf(command);
      const { value } = await devCall(ctx, 'GET', '/dev/faults');
      emit(ctx.output, value, () => renderTable(value, RULE_COLUMNS));
    });
  withExample(faults.command('add')
    .description('Inject a fault: an error status (with Retry-After), added latency, or both.')
    .option('--method <method>', 'only this HTTP method')
    .option('--path <glob>', 'only paths matching this glob (`*` one segment, `**` any)')
    .option('--status <status>', 'answer with this status (400-599)', integer)
    .option('--retry-after <seconds>', 'send Retry-After', integer)
    .option('--delay-ms <ms>', 'add this much latency', integer)
    .option('--code <code>', 'error code instead of the API default for the status')
    .option('--rate <rate>', 'chance a matching request is hit (0-1, default 1)', fraction)
    .option('--seed <seed>', 'makes the hit sequence repeat exactly', integer)
    .option('--times <n>', 'hit only the next n matching requests', integer)
    .option('--json <rule>', 'the whole rule as POST /dev/faults takes it')
    .action(async (o: FaultOptions, command: Command) => {
      const ctx = contextOf(command);
      const rule = await devCall(ctx, 'POST', '/dev/faults', { body: ruleFrom(o) });
      emit(ctx.output, rule, () => renderFields(Object.entries(rule)));
    }), "signoff dev faults add --method PATCH --path '/beta/**/steps/*' --status 429 --retry-after 2 --rate 0.5 --seed 42");
  faults.command('clear').description('Remove every fault rule.').action(async (_o: object, command: Command) => {
    const ctx = contextOf(command);
    await devCall(ctx, 'DELETE', '/dev/faults');
    emit(ctx.output, { cleared: true }, () => 'faults cleared\n');
  });

  withExample(dev.command('requests')
    .description('The request log, newest first, with tokens and secrets redacted (-o json for headers and bodies).')
    .option('--path <path>', 'path substring, or a glob with *')
    .option('--status <status>', 'e.g. 429 or 4xx')
    .option('--caller <who>', 'user principal name or object id')
    .option('--method <method>', 'HTTP method')
    .option('--top <n>', 'at most n entries (default 100)', integer)
    .action(async (o: Record<string, string | number | undefined>, command: Command) => {
      const ctx = contextOf(command);
      const query = Object.fromEntries(['path', 'status', 'caller', 'method', 'top'].map((k) => [k, o[k] === undefined ? undefined : String(o[k])]));
      const { value } = await devCall(ctx, 'GET', '/dev/requests', { query });
      emit(ctx.output, value, () => renderTable(value, REQUEST_COLUMNS));
    }), 'signoff dev requests --status 4xx --caller alice@contoso.com -o json');
}
