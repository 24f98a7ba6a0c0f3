/**
 * Cold start: from spawning the process to the first 200 from /healthz, Signoff (`npm start`'s
 * command on an existing data dir, HTTP and HTTPS) vs a bare Fastify server. Target ≤ 3×.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, START_ENTRY, signoffArgs, startProcess } from './lib/processes.js';
import { machine, table, verdict, writeSection } from './lib/results.js';

const ROUNDS = 7;

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)); });
  });
}

/** Milliseconds from spawn to the first 200 on /healthz. */
async function timeToHealthy(args: (port: number) => string[], env: Record<string, string> = {}): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args(port), { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', PORT: String(port), ...env }, stdio: 'ignore' });
  try {
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (res.status === 200) return performance.now() - started;
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 2));
      if (performance.now() - started > 30_000) throw new Error('server did not become healthy');
    }
  } finally {
    child.kill('SIGKILL');
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchColdStart(): Promise<{ ratio: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'signoff-bench-start-'));
  try {
    const first = await startProcess(signoffArgs(dataDir, ['--https-port', '0']).filter((a) => a !== '--no-https'));
    await first.stop();
    const httpsPort = await freePort();
    const bare: number[] = [];
    const signoff: number[] = [];
    const signoffHttpOnly: number[] = [];
    const unbundled: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      bare.push(await timeToHealthy(() => ['bench/fixtures/bare-fastify.mjs']));
      signoff.push(await timeToHealthy((port) => [START_ENTRY, 'serve', '--port', String(port), '--https-port', String(httpsPort), '--data-dir', dataDir]));
      signoffHttpOnly.push(await timeToHealthy((port) => [START_ENTRY, 'serve', '--port', String(port), '--no-https', '--data-dir', dataDir]));
      unbundled.push(await timeToHealthy((port) => ['dist/cli/main.js', 'serve', '--port', String(port), '--https-port', String(httpsPort), '--data-dir', dataDir]));
    }
    const ratio = median(signoff) / median(bare);
    writeSection('Cold start', [
      `\`npm run bench -- cold-start\` — ${machine()}. Spawn to first \`/healthz\` 200, median of ${ROUNDS} alternating rounds, existing data dir (SQLite, demo tenant, TLS files).`,
      '',
      table(['server', 'median ms', 'ratio'], [
        ['bare Fastify (baseline)', median(bare).toFixed(0), '1.00×'],
        ['Signoff `npm start` (HTTP + HTTPS)', median(signoff).toFixed(0), `${ratio.toFixed(2)}×`],
        ['Signoff `--no-https`', median(signoffHttpOnly).toFixed(0), `${(median(signoffHttpOnly) / median(bare)).toFixed(2)}×`],
        ['Signoff unbundled (`dist/cli/main.js`, before bundling)', median(unbundled).toFixed(0), `${(median(unbundled) / median(bare)).toFixed(2)}×`],
      ]),
      '',
      `Target ≤ 3×: ${verdict(ratio <= 3)}.`,
    ].join('\n'));
    console.log(`cold start: bare ${median(bare).toFixed(0)} ms, signoff ${median(signoff).toFixed(0)} ms, ratio ${ratio.toFixed(2)}`);
    return { ratio };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
