import type { Command } from 'commander';
import { contextOf } from '../context.js';
import { type Column, emit, renderFields, renderTable } from '../output.js';
import { withExample } from '../program.js';

const WEBHOOKS = '/signoff/v1/webhooks';

type Row = Record<string, any>;

const SUBSCRIPTION_COLUMNS: Column<Row>[] = [
  { header: 'id', value: (w) => w.id, max: 36 },
  { header: 'url', value: (w) => w.url, max: 50 },
  { header: 'events', value: (w) => (w.eventTypes ?? []).join(','), max: 50 },
  { header: 'active', value: (w) => w.active ?? w.isActive ?? (w.status ? w.status : '') },
];

const DELIVERY_COLUMNS: Column<Row>[] = [
  { header: 'id', value: (d) => d.id, max: 36 },
  { header: 'event', value: (d) => d.eventType ?? d.event?.type },
  { header: 'status', value: (d) => d.status },
  { header: 'attempts', value: (d) => d.attempts ?? d.attemptCount },
  { header: 'last status', value: (d) => d.lastStatusCode ?? d.lastAttempt?.statusCode },
  { header: 'next attempt', value: (d) => d.nextAttemptAt ?? d.nextAttemptDateTime },
];

const list = (value: string): string[] => value.split(',').map((s) => s.trim()).filter(Boolean);

/** `signoff webhooks add|list|remove|deliveries`. */
export function addWebhooksCommands(program: Command): void {
  const webhooks = program.command('webhooks').description('Webhook subscriptions (administrators).');
  withExample(webhooks, 'signoff webhooks list');

  withExample(webhooks.command('add')
    .description('Subscribe a URL to events; the signing secret is shown once.')
    .requiredOption('--url <url>', 'an http(s) URL that receives the events')
    .requiredOption('--events <types>', 'comma-separated event types, such as request.granted,request.denied', list)
    .option('--secret <whsec_…>', 'your own Standard Webhooks secret (default: generated)')
    .option('--description <text>', 'what this subscription is for')
    .action(async (opts: { url: string; events: string[]; secret?: string; description?: string }, command: Command) => {
      const ctx = contextOf(command);
      const created = await ctx.client.json<Row>('POST', WEBHOOKS, {
        body: { url: opts.url, eventTypes: opts.events, ...(opts.secret ? { secret: opts.secret } : {}), ...(opts.description ? { description: opts.description } : {}) },
      });
      emit(ctx.output, created, () => renderFields(Object.entries(created)));
    }), 'signoff webhooks add --url https://hooks.example.com/signoff --events request.granted,request.denied');

  withExample(webhooks.command('list')
    .description('List the subscriptions.')
    .action(async (_opts: unknown, command: Command) => {
      const ctx = contextOf(command);
      const items = await ctx.client.collect<Row>(WEBHOOKS);
      emit(ctx.output, items, () => renderTable(items, SUBSCRIPTION_COLUMNS));
    }), 'signoff webhooks list --output json');

  withExample(webhooks.command('remove <id>')
    .description('Delete a subscription.')
    .action(async (id: string, _opts: unknown, command: Command) => {
      const ctx = contextOf(command);
      await ctx.client.send('DELETE', `${WEBHOOKS}/${encodeURIComponent(id)}`);
      emit(ctx.output, { id, removed: true }, () => `Removed webhook ${id}.\n`);
    }), 'signoff webhooks remove 1d2e…');

  withExample(webhooks.command('deliveries <id>')
    .description("A subscription's delivery attempts, newest first.")
    .action(async (id: string, _opts: unknown, command: Command) => {
      const ctx = contextOf(command);
      const items = await ctx.client.collect<Row>(`${WEBHOOKS}/${encodeURIComponent(id)}/deliveries`, 1000);
      emit(ctx.output, items, () => renderTable(items, DELIVERY_COLUMNS));
    }), 'signoff webhooks deliveries 1d2e…');
}
