import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Proc {
  readonly url: string;
  readonly child: ChildProcess;
  /** Resident set size in MiB, read from /proc. */
  rssMiB(): number;
  stop(): Promise<void>;
}

/** Compiles and bundles src/ as `npm run build` does, so benchmarks measure what `npm start` runs. */
export function build(): void {
  execFileSync(process.execPath, [`${ROOT}/node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync(process.execPath, [`${ROOT}/scripts/bundle.mjs`], { cwd: ROOT, stdio: 'inherit' });
}

/** What `npm start` runs. */
export const START_ENTRY = 'dist/bundle/signoff.mjs';

/**
 * Starts a server process and waits for the `HTTP <url>` line it prints when listening. The
 * per-caller rate limit is off: a benchmark is one caller asking far more than a person would.
 */
export async function startProcess(args: string[], env: Record<string, string> = {}): Promise<Proc> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', SIGNOFF_RATE_LIMIT_PER_MINUTE: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (d) => { out += d; });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in time:\n${out}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /HTTP\s+(http:\/\/\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]!); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}:\n${out}`)); });
  });
  child.stdout!.resume();
  return {
    url,
    child,
    rssMiB() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await once(child, 'exit');
      clearTimeout(timer);
    },
  };
}

export function signoffArgs(dataDir: string, extra: string[] = []): string[] {
  return [START_ENTRY, 'serve', '--port', '0', '--no-https', '--data-dir', dataDir, ...extra];
}

export async function devToken(url: string, username: string): Promise<string> {
  const res = await fetch(`${url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username }) });
  if (!res.ok) throw new Error(`token: ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}
