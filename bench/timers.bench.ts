/**
 * Timers: 100k due expiries applied by Signoff's timer run (each with its audit event and outbox
 * row) vs a raw SQL bulk update of the same rows, on copies of one SQLite store. Target ≤ 3×.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { DevClock } from '../src/app/clock.js';
import { makeServices } from '../src/app/services.js';
import { runDueTimers } from '../src/app/timers.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { seedPendingApprovals } from './lib/bulk-seed.js';
import { signoffArgs, startProcess } from './lib/processes.js';
import { machine, table, verdict, writeSection } from './lib/results.js';

const DUE = 100_000;
const USER_ADMIN = 'fe930be7-5e62-47db-91af-98c3a49a38b1';

/** Runs `work` in one transaction on its own connection, as the raw baselines do; returns its milliseconds. */
function timedRawRun(file: string, work: (raw: BetterSqlite3.Database) => void): number {
  const raw = new BetterSqlite3(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  const started = performance.now();
  raw.transaction(() => work(raw))();
  const ms = performance.now() - started;
  raw.close();
  return ms;
}

export async function benchTimers(): Promise<{ ratio: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'signoff-bench-timers-'));
  try {
    const first = await startProcess(signoffArgs(dataDir));
    await first.stop();
    const file = join(dataDir, 'signoff.db');
    const native = new BetterSqlite3(file);
    const base = Date.parse('2026-01-01T00:00:00Z');
    seedPendingApprovals(native, {
      count: DUE, prefix: 'due', resourceId: USER_ADMIN, approverOf: (i) => `00000000-0000-4000-8000-${String(i % 500).padStart(12, '0')}`,
      createdAt: (i) => new Date(base + i).toISOString(), expireAt: '2026-01-02T00:00:00.000Z',
    });
    native.pragma('wal_checkpoint(TRUNCATE)');
    native.close();
    const copy = join(dataDir, 'baseline.db');
    copyFileSync(file, copy);
    const everyRowCopy = join(dataDir, 'every-row.db');
    copyFileSync(file, everyRowCopy);
    const now = '2026-06-01T00:00:00.000Z';

    const expireStagesAndRequests = (raw: BetterSqlite3.Database) => {
      raw.prepare("update approval_stages set status = 'Expired', version = version + 1 where status in ('InProgress', 'Escalated') and expire_at <= ?").run(now);
      raw.prepare("update requests set status = 'Denied', completed_at = ?, version = version + 1 where status = 'PendingApproval' and id in (select approval_id from approval_stages where status = 'Expired')").run(now);
    };
    // Baseline: the same rows expired by one set-based statement each (no audit, no outbox, no inbox).
    const baselineMs = timedRawRun(copy, expireStagesAndRequests);
    // Like for like: every row Signoff writes, set-based, but no rules applied and no hash chain.
    const everyRowMs = timedRawRun(everyRowCopy, (raw) => {
      expireStagesAndRequests(raw);
      raw.prepare("delete from approver_inbox where stage_id in (select id from approval_stages where status = 'Expired')").run();
      for (const action of ['approval.expired', 'request.denied']) {
        raw.prepare(`insert into audit_events (id, occurred_at, actor_id, action, target_type, target_id, request_id, correlation_id, client_ip, before, after, prev_hash, hash)
          select lower(hex(randomblob(16))), ?, null, ?, 'approvalStage', id, approval_id, null, null, null, '{"index":0}', '', '' from approval_stages where status = 'Expired'`).run(now, action);
        raw.prepare(`insert into outbox (id, event_type, occurred_at, request_id, payload, dispatched_at)
          select lower(hex(randomblob(16))), ?, ?, approval_id, '{"type":"' || ? || '"}', null from approval_stages where status = 'Expired'`).run(action, now, action);
      }
    });

    const store = await openSqliteStore(file);
    const clock = new DevClock(Date.parse('2026-06-01T00:00:00Z') - Date.now(), Date.now);
    const services = makeServices(store, clock);
    const t1 = performance.now();
    const report = await runDueTimers(services);
    const signoffMs = performance.now() - t1;
    const audit = await store.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'approval.expired').executeTakeFirst();
    await store.close();
    if (report.expired !== DUE || Number(audit?.n) !== DUE) throw new Error(`expected ${DUE} expiries, got ${report.expired} (audit ${audit?.n})`);

    const ratio = signoffMs / baselineMs;
    writeSection('Timers', [
      `\`npm run bench -- timers\` — ${machine()}. ${DUE.toLocaleString('en')} approvals past their timeout on SQLite; Signoff's timer run expires each (stage Expired, request Denied, inbox cleared, audit events and outbox rows written) vs one raw set-based SQL update of the same stage and request rows on a copy of the store.`,
      '',
      table(['run', 'ms', 'per expiry µs', 'Signoff / run'], [
        ['raw SQL bulk update of the stage and request rows (baseline)', baselineMs.toFixed(0), ((baselineMs * 1000) / DUE).toFixed(1), `${ratio.toFixed(2)}×`],
        ['raw SQL writing every row Signoff writes (inbox, 2 audit and 2 outbox rows per expiry; no rules, no hash chain)', everyRowMs.toFixed(0), ((everyRowMs * 1000) / DUE).toFixed(1), `${(signoffMs / everyRowMs).toFixed(2)}×`],
        ['Signoff runDueTimers', signoffMs.toFixed(0), ((signoffMs * 1000) / DUE).toFixed(1), '1.00×'],
      ]),
      '',
      `Ratio ${ratio.toFixed(2)}× the baseline (target ≤ 3×: ${verdict(ratio <= 3)}); ${(signoffMs / everyRowMs).toFixed(2)}× raw SQL writing the same rows Signoff writes.`,
    ].join('\n'));
    console.log(`timers: baseline ${baselineMs.toFixed(0)} ms, every row ${everyRowMs.toFixed(0)} ms, signoff ${signoffMs.toFixed(0)} ms, ratio ${ratio.toFixed(2)}`);
    return { ratio };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
