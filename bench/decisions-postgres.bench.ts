/**
 * Decisions on PostgreSQL: the same PATCH load as the SQLite benchmark against one Signoff
 * instance and against three sharing the database, vs the bare Fastify route measured in the same
 * run. Targets: one instance ≥ 0.25× the bare route; three instances ≥ 1.8× one.
 */
import { cpus } from 'node:os';
import autocannon from 'autocannon';
import pg from 'pg';
import { startPgCluster } from '../test/support/pg-cluster.js';
import { devToken, type Proc, signoffArgs, startProcess } from './lib/processes.js';
import { type CpuShare, measureCpuShare } from './lib/cpu-share.js';
import { machine, table, verdict, writeSection } from './lib/results.js';

const BOB = '7862ad26-2cf0-458b-91ab-752892c02d2d';
const USER_ADMIN = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const DURATION_S = 8;
const CONNECTIONS = 12;
const APPROVALS = 30_000;
const ISSUER = 'http://signoff.bench';

/** Pending single-stage approvals for bob, written set-based by PostgreSQL itself. */
async function seed(url: string, count: number): Promise<{ approvalId: string; stageId: string }[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create temporary table seed as
      select gen_random_uuid()::text as id, gen_random_uuid()::text as stage_id, gen_random_uuid()::text as principal,
             to_char(timestamp '2026-01-01' + i * interval '1 millisecond', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at
      from generate_series(1, $1::int) as i`, [count]);
    const config = JSON.stringify({ displayName: null, timeoutMinutes: 1440, isApproverJustificationRequired: true, isEscalationEnabled: false, escalationMinutes: 0, primaryApprovers: [], escalationApprovers: [], approvalsRequired: 1 });
    await client.query(`insert into requests (id, family, action, principal_id, created_by, resource_id, scope, justification, ticket, schedule, start_at, end_at, status, approval_id, policy_id, policy_version, created_at, completed_at, extra, version)
      select id, 'directoryRole', 'selfActivate', principal, principal, $1, '/', 'bulk', null,
             '{"startAt":"' || at || '","endAt":null,"expirationType":"afterDuration","duration":"PT1H"}', at, null, 'PendingApproval', id, null, null, at, null, '{}', 1
      from seed`, [USER_ADMIN]);
    await client.query(`insert into approval_stages (id, approval_id, stage_index, status, review_result, reviewed_by, reviewed_at, justification, config, approver_ids, escalation_approver_ids, approvals, started_at, escalate_at, expire_at, version)
      select stage_id, id, 0, 'InProgress', 'NotReviewed', null, null, '', $1, $2, '[]', '[]', at, null, '2999-01-01T00:00:00.000Z', 1 from seed`, [config, JSON.stringify([BOB])]);
    await client.query(`insert into approver_inbox (user_id, family, approval_id, stage_id, created_at) select $1, 'directoryRole', id, stage_id, at from seed`, [BOB]);
    await client.query('analyze');
    return (await client.query('select id as "approvalId", stage_id as "stageId" from seed')).rows;
  } finally {
    await client.end();
  }
}

type Run = { rps: number; p99: number; non2xx: number; cpu?: CpuShare };

/** One autocannon per instance, started together, each deciding its own share of the approvals. */
async function load(urls: string[], token: string, paths: string[]): Promise<Run> {
  let next = 0;
  const results = await Promise.all(urls.map((url) => autocannon({
    url, connections: Math.max(1, Math.round(CONNECTIONS / urls.length)), duration: DURATION_S, method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reviewResult: 'Approve', justification: 'benchmark' }),
    requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, path: paths[next++ % paths.length] }) }],
  })));
  return {
    rps: results.reduce((sum, r) => sum + r.requests.average, 0),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
  };
}

async function withInstances<T>(count: number, url: string, fn: (procs: Proc[]) => Promise<T>): Promise<T> {
  const procs: Proc[] = [];
  try {
    for (let i = 0; i < count; i++) procs.push(await startProcess(signoffArgs('/tmp/unused', ['--database-url', url]), { SIGNOFF_PUBLIC_URL: ISSUER }));
    return await fn(procs);
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

export async function benchDecisionsPostgres(): Promise<{ ratio: number; scaling: number }> {
  const cluster = await startPgCluster();
  try {
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    const runs: Record<'one' | 'three', Run> = {} as never;
    for (const [name, count] of [['one', 1], ['three', 3]] as const) {
      await admin.query(`create database bench_${name}`);
      const url = cluster.url.replace(/\/postgres$/, `/bench_${name}`);
      // First start migrates and seeds the demo tenant.
      await withInstances(1, url, async () => undefined);
      const seeded = await seed(url, APPROVALS);
      const paths = seeded.map((a) => `/beta/roleManagement/directory/roleAssignmentApprovals/${a.approvalId}/steps/${a.stageId}`);
      runs[name] = await withInstances(count, url, async (procs) => {
        const token = await devToken(procs[0]!.url, 'bob@contoso.com');
        const { result, cpu } = await measureCpuShare(procs.map((p) => p.child.pid!), () => load(procs.map((p) => p.url), token, paths));
        return { ...result, cpu };
      });
    }
    await admin.end();
    const bare = await startProcess(['bench/fixtures/bare-fastify.mjs']);
    let j = 0;
    const bareRun = await load([bare.url], 'unused', Array.from({ length: 1000 }, () => `/beta/roleManagement/directory/roleAssignmentApprovals/a${j}/steps/s${j++}`));
    await bare.stop();

    const ratio = runs.one.rps / bareRun.rps;
    const scaling = runs.three.rps / runs.one.rps;
    writeSection('Decisions (PostgreSQL, 1 and 3 instances)', [
      `\`npm run bench -- decisions-postgres\` — ${machine()}. A throwaway PostgreSQL 15 cluster on loopback (fsync off), ${APPROVALS.toLocaleString('en')} pending approvals per database; autocannon, ${CONNECTIONS} connections in all, ${DURATION_S} s; with three instances one autocannon per instance, started together. Every server runs as its own process on the same 2 cores as PostgreSQL and the load generator.`,
      '',
      table(['server', 'requests/s', 'p99 ms', 'non-2xx', 'CPU % Signoff', 'CPU % PostgreSQL', 'CPU % load generator'], [
        ['bare Fastify PATCH → 204 (baseline)', bareRun.rps.toFixed(0), bareRun.p99, bareRun.non2xx, '', '', ''],
        ...(['one', 'three'] as const).map((n) => [`Signoff, ${n === 'one' ? '1 instance' : '3 instances'}`, runs[n].rps.toFixed(0), runs[n].p99, runs[n].non2xx, runs[n].cpu!.signoff, runs[n].cpu!.postgres, runs[n].cpu!.loadGenerator]),
      ]),
      '',
      `CPU is percent of one core over the run (the machine has ${cpus().length * 100} %): where the three columns add up to the whole machine, the run is limited by CPU, not by waiting.`,
      '',
      `One instance: ${ratio.toFixed(2)}× the bare route (target ≥ 0.25×: ${verdict(ratio >= 0.25)}). Three instances: ${scaling.toFixed(2)}× one (target ≥ 1.8×: ${verdict(scaling >= 1.8)}; on two cores shared with PostgreSQL and the load generator, more processes cannot add CPU).`,
    ].join('\n'));
    console.log(`decisions on PostgreSQL: bare ${bareRun.rps.toFixed(0)} rps, one ${runs.one.rps.toFixed(0)} rps, three ${runs.three.rps.toFixed(0)} rps`);
    return { ratio, scaling };
  } finally {
    cluster.destroy();
  }
}
