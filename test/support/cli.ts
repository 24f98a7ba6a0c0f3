import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (for `--output json`). */
  json<T = any>(): T;
}

export interface Cli {
  readonly home: string;
  run(args: readonly string[], options?: { env?: Record<string, string>; stdin?: string; timeoutMs?: number }): Promise<CliRun>;
  cleanup(): void;
}

/**
 * The `signoff` command as a user runs it: a child process (never in-process, so exit codes and
 * stdout/stderr are real), against `server`, with its own empty HOME and config dir.
 */
export function cliFor(server: string): Cli {
  const home = mkdtempSync(join(tmpdir(), 'signoff-cli-'));
  return {
    home,
    run(args, options = {}) {
      return new Promise((resolvePromise, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], {
          cwd: ROOT,
          env: {
            PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: join(home, '.config'), SIGNOFF_SERVER: server, NO_COLOR: '1',
            ...options.env,
          },
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
        child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
        const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
        child.on('error', reject);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolvePromise({
            code, stdout, stderr,
            json: () => {
              try { return JSON.parse(stdout); } catch { throw new Error(`not JSON (exit ${code}): ${stdout}\n${stderr}`); }
            },
          });
        });
        child.stdin.end(options.stdin ?? '');
      });
    },
    cleanup() {
      rmSync(home, { recursive: true, force: true });
    },
  };
}
