/**
 * Decisions per second: PATCH approvalStep, each on a fresh pending step, against Signoff on SQLite,
 * vs a bare Fastify route returning 204 — both servers run as their own process, driven by the same
 * autocannon settings from this one. Target: ≥ 0.4× the bare route's requests/s, p99 ≤ 20 ms.
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
const DURATION_S = 8;
const CONNECTIONS = 10;
const APPROVALS = 40_000;

type Run = { rps: number; p50: number; p99: number; non2xx: number; total: number };

async function load(url: string, token: string, next: () => string): Promise<Run> {
  const result = await autocannon({
    url, connections: CONNECTIONS, duration: DURATION_S, method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reviewResult: 'Approve', justification: 'benchmark' }),
    requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, path: next() }) }],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, total: result.requests.total };
}

export async function benchDecisions(): Promise<{ ratio: number; p99: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'signoff-bench-decisions-'));
  try {
    // First start migrates and seeds the demo tenant; then approvals are bulk-written while it is stopped.
    const first = await startProcess(signoffArgs(dataDir));
    await first.stop();
    const native = new BetterSqlite3(join(dataDir, 'signoff.db'));
    const base = Date.parse('2026-01-01T00:00:00Z');
    const seeded = seedPendingApprovals(native, {
      count: APPROVALS, prefix: 'decide', approverOf: () => BOB, resourceId: USER_ADMIN,
      createdAt: (i) => new Date(base + i).toISOString(), expireAt: '2999-01-01T00:00:00.000Z',
    });
    native.close();

    const signoff = await startProcess(signoffArgs(dataDir));
    const token = await devToken(signoff.url, 'bob@contoso.com');
    let i = 0;
    const signoffRun = await load(signoff.url, token, () => {
      const a = seeded[i++ % seeded.length]!;
      return `/beta/roleManagement/directory/roleAssignmentApprovals/${a.approvalId}/steps/${a.stageId}`;
    });
    await signoff.stop();

    const bare = await startProcess(['bench/fixtures/bare-fastify.mjs']);
    let j = 0;
    const bareRun = await load(bare.url, token, () => `/beta/roleManagement/directory/roleAssignmentApprovals/a${j}/steps/s${j++}`);
    await bare.stop();

    const ratio = signoffRun.rps / bareRun.rps;
    const exhausted = signoffRun.total > seeded.length;
    writeSection('Decisions (SQLite)', [
      `\`npm run bench -- decisions\` — ${machine()}. autocannon, ${CONNECTIONS} connections, ${DURATION_S} s per server; each Signoff PATCH decides a different pending step (${APPROVALS.toLocaleString('en')} seeded). Both servers run as their own process.`,
      '',
      table(['server', 'requests/s', 'p50 ms', 'p99 ms', 'non-2xx'], [
        ['bare Fastify PATCH → 204 (baseline)', bareRun.rps.toFixed(0), bareRun.p50, bareRun.p99, bareRun.non2xx],
        ['Signoff PATCH approvalStep, SQLite', signoffRun.rps.toFixed(0), signoffRun.p50, signoffRun.p99, signoffRun.non2xx],
      ]),
      '',
      `Ratio ${ratio.toFixed(2)}× the bare route (target ≥ 0.40×: ${verdict(ratio >= 0.4)}); p99 ${signoffRun.p99} ms (target ≤ 20 ms: ${verdict(signoffRun.p99 <= 20)}).${exhausted ? ' Some requests re-decided an already decided step (409): more approvals should be seeded.' : ''}`,
    ].join('\n'));
    console.log(`decisions: signoff ${signoffRun.rps.toFixed(0)} rps p99 ${signoffRun.p99} ms non2xx ${signoffRun.non2xx}; bare ${bareRun.rps.toFixed(0)} rps; ratio ${ratio.toFixed(2)}`);
    return { ratio, p99: signoffRun.p99 };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
