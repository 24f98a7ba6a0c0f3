/**
 * Pending-for-me listing p99 with 10k and with 1M approvals in the store: the inbox index keeps the
 * query independent of history. Target: p99(1M) / p99(10k) ≤ 1.5; RSS of the server at 1M ≤ 200 MB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import BetterSqlite3 from 'better-sqlite3';
import { seedPendingApprovals } from './lib/bulk-seed.js';
import { devToken, signoffArgs, startProcess } from './lib/processes.js';
import { machine, table, verdict, writeSection } from './lib/results.js';

const BOB = '7862ad26-2cf0-458b-91ab-752892c02d2d';
const USER_ADMIN = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const BOBS_SHARE = 200;
const PATH = "/beta/roleManagement/directory/roleAssignmentScheduleRequests/filterByCurrentUser(on='approver')?$top=50";

async function measure(dataDir: string): Promise<{ p50: number; p99: number; rps: number; rss: number }> {
  const server = await startProcess(signoffArgs(dataDir));
  try {
    const token = await devToken(server.url, 'bob@contoso.com');
    const check = await fetch(`${server.url}${PATH}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await check.json()) as { value: unknown[] };
    if (body.value.length !== 50) throw new Error(`expected a full page of 50, got ${body.value.length}`);
    const result = await autocannon({ url: `${server.url}${PATH}`, connections: 4, duration: 6, headers: { authorization: `Bearer ${token}` } });
    return { p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, rss: server.rssMiB() };
  } finally {
    await server.stop();
  }
}

function plan(native: BetterSqlite3.Database, sql: string): string {
  return (native.prepare(`explain query plan ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
}

export async function benchPendingList(): Promise<{ ratio: number; rss: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'signoff-bench-pending-'));
  try {
    const first = await startProcess(signoffArgs(dataDir));
    await first.stop();
    const file = join(dataDir, 'signoff.db');
    const base = Date.parse('2026-01-01T00:00:00Z');
    let written = 0;
    // Other approvers' work spreads over 500 synthetic approvers; bob's share is spread through time.
    const grow = (to: number) => {
      const native = new BetterSqlite3(file);
      native.pragma('journal_mode = WAL');
      const count = to - written;
      const stride = Math.floor(to / BOBS_SHARE);
      seedPendingApprovals(native, {
        count, prefix: `pending-${to}`, resourceId: USER_ADMIN,
        approverOf: (i) => ((written + i) % stride === 0 && (written + i) / stride < BOBS_SHARE ? BOB : `00000000-0000-4000-8000-${String((written + i) % 500).padStart(12, '0')}`),
        createdAt: (i) => new Date(base + (written + i) * 10).toISOString(), expireAt: '2999-01-01T00:00:00.000Z',
      });
      written = to;
      native.pragma('wal_checkpoint(TRUNCATE)');
      native.close();
    };
    grow(10_000);
    const small = await measure(dataDir);
    grow(1_000_000);
    const large = await measure(dataDir);
    const native = new BetterSqlite3(file, { readonly: true });
    const inboxPlan = plan(native, `select approval_id, created_at from approver_inbox where user_id = '${BOB}' and family in ('directoryRole') order by created_at, approval_id limit 51`);
    const stagesPlan = plan(native, "select * from approval_stages where approval_id in ('a','b') order by stage_index");
    native.close();
    const ratio = large.p99 / small.p99;
    writeSection('Pending-for-me listing', [
      `\`npm run bench -- pending-list\` — ${machine()}. \`GET ${PATH}\` as bob (a full page of 50 of his ${BOBS_SHARE} pending), autocannon 4 connections × 6 s, server in its own process on SQLite. The approvals are bulk-written, one synthetic requestor each, spread over 500 approvers.`,
      '',
      table(['approvals in store', 'requests/s', 'p50 ms', 'p99 ms', 'server RSS MiB'], [
        ['10,000', small.rps.toFixed(0), small.p50, small.p99, small.rss.toFixed(0)],
        ['1,000,000', large.rps.toFixed(0), large.p50, large.p99, large.rss.toFixed(0)],
      ]),
      '',
      `p99 ratio 1M / 10k: ${ratio.toFixed(2)} (target ≤ 1.5: ${verdict(ratio <= 1.5)}). RSS at 1M: ${large.rss.toFixed(0)} MiB (target ≤ 200 MB: ${verdict(large.rss <= 200)}).`,
      '',
      'Query plans (SQLite `EXPLAIN QUERY PLAN`):',
      '',
      `- inbox page: \`${inboxPlan}\``,
      `- stages of the page: \`${stagesPlan}\``,
    ].join('\n'));
    console.log(`pending list: 10k p99 ${small.p99} ms, 1M p99 ${large.p99} ms, ratio ${ratio.toFixed(2)}, rss ${large.rss.toFixed(0)} MiB`);
    return { ratio, rss: large.rss };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
