/**
 * How long `POST /dev/reset`, `POST /dev/snapshot` and `POST /dev/snapshot/{id}/restore` take on the
 * demo tenant, against a baseline measured in the same run on the same server: `GET /healthz`, one
 * HTTP round trip with a bare `select 1`. Target: reset and restore under 50 ms, so a suite can
 * afford one between every test.
 *
 *   npx tsx bench/snapshot.bench.ts            # SQLite; PostgreSQL too when SIGNOFF_TEST_PG_URL is set
 *
 * Writes its figures to bench/RESULTS.md under "Snapshots".
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DEMO } from '../test/support/demo.js';
import { Api, activationBody } from '../test/support/http.js';
import { type StoreKind, startTestServer, testStores } from '../test/support/test-server.js';

const ROUNDS = 40;
const WARMUP = 5;
const RESULTS = fileURLToPath(new URL('./RESULTS.md', import.meta.url));

interface Figures { readonly median: number; readonly p95: number }

async function time(rounds: number, fn: () => Promise<unknown>): Promise<Figures> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)]!, p95: samples[Math.min(samples.length - 1, Math.ceil(samples.length * 0.95) - 1)]! };
}

async function ok(res: Promise<{ status: number; text: string }>): Promise<void> {
  const r = await res;
  if (r.status >= 300) throw new Error(`${r.status} ${r.text}`);
}

async function benchStore(store: StoreKind): Promise<string[]> {
  const server = await startTestServer({ store });
  try {
    const api = new Api(server.url);
    // Some work on top of the seed, so a restore has rows to delete and re-insert.
    for (const role of [DEMO.roles.userAdministrator, DEMO.roles.securityAdministrator]) await ok(api.post('/beta/roleManagement/directory/roleAssignmentScheduleRequests', activationBody(role, DEMO.users.alice), 'alice'));
    const snapshot = (await api.call('POST', '/dev/snapshot')).body as { id: string; rows: number };

    const baseline = await time(ROUNDS, () => ok(api.get('/healthz')));
    const rows: [string, Figures][] = [
      ['GET /healthz (baseline: select 1)', baseline],
      ['POST /dev/snapshot', await time(ROUNDS, () => ok(api.call('POST', '/dev/snapshot')))],
      ['POST /dev/snapshot/{id}/restore', await time(ROUNDS, () => ok(api.call('POST', `/dev/snapshot/${snapshot.id}/restore`)))],
      ['POST /dev/reset', await time(ROUNDS, () => ok(api.call('POST', '/dev/reset')))],
    ];
    const ms = (n: number) => n.toFixed(2);
    return [
      `### ${store} (${snapshot.rows} rows in the image)`,
      '',
      '| operation | median ms | p95 ms | median / baseline |',
      '|---|---:|---:|---:|',
      ...rows.map(([name, f]) => `| ${name} | ${ms(f.median)} | ${ms(f.p95)} | ${(f.median / baseline.median).toFixed(1)}× |`),
      '',
    ];
  } finally {
    await server.destroy();
  }
}

function writeSection(lines: readonly string[]): void {
  let existing = '';
  try { existing = readFileSync(RESULTS, 'utf8'); } catch { existing = '# Benchmark results\n'; }
  const section = `## Snapshots\n\n${lines.join('\n')}\n`;
  // Replace only this benchmark's section; other benchmarks keep theirs.
  const pattern = /## Snapshots\n[\s\S]*?(?=\n## |$)/;
  const next = pattern.test(existing) ? existing.replace(pattern, section.trimEnd() + '\n') : `${existing.trimEnd()}\n\n${section}`;
  writeFileSync(RESULTS, next);
}

const lines = [
  `Measured by \`npx tsx bench/snapshot.bench.ts\` on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version};`,
  `${ROUNDS} rounds after ${WARMUP} warm-up, each an HTTP round trip to a loopback server on the demo tenant. Target: reset and restore < 50 ms.`,
  '',
];
for (const store of testStores()) lines.push(...await benchStore(store));
process.stdout.write(`${lines.join('\n')}\n`);
writeSection(lines);
