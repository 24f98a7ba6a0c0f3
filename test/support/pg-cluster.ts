import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A throwaway PostgreSQL cluster (as `.ci/run` starts one) that a test may stop and start at will. */
export interface PgCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string;
  stop(): void;
  start(): void;
  /** Stops the cluster and deletes its files. */
  destroy(): void;
}

const PG_ROOT = '/usr/lib/postgresql';

/** Whether this machine can start a cluster of its own (Debian's postgresql package). */
export function hasLocalPostgres(): boolean {
  return existsSync(PG_ROOT) && readdirSync(PG_ROOT).some((v) => existsSync(join(PG_ROOT, v, 'bin', 'initdb')));
}

function pgBin(): string {
  const versions = readdirSync(PG_ROOT).filter((v) => existsSync(join(PG_ROOT, v, 'bin', 'initdb'))).sort((a, b) => Number(a) - Number(b));
  if (versions.length === 0) throw new Error(`PostgreSQL is not installed under ${PG_ROOT}`);
  return join(PG_ROOT, versions.at(-1)!, 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** initdb refuses to run as root, so as root the commands run as the postgres user. */
function runAsPostgres(command: string): void {
  const asRoot = process.getuid?.() === 0;
  execFileSync(asRoot ? 'su' : '/bin/sh', asRoot ? ['postgres', '-s', '/bin/sh', '-c', command] : ['-c', command], { stdio: 'pipe' });
}

export async function startPgCluster(): Promise<PgCluster> {
  const bin = pgBin();
  const dir = mkdtempSync('/tmp/signoff-test-pg.');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  const data = join(dir, 'data');
  runAsPostgres(`${bin}/initdb -D '${data}' -U postgres --auth=trust -E UTF8 --no-sync >/dev/null`);
  const start = () => runAsPostgres(`${bin}/pg_ctl -D '${data}' -l '${dir}/log' -o "-p ${port} -k '${dir}' -c listen_addresses=127.0.0.1 -c max_connections=100 -c fsync=off" -w start >/dev/null`);
  const stop = () => runAsPostgres(`${bin}/pg_ctl -D '${data}' -m fast -w stop >/dev/null`);
  start();
  let destroyed = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      try { runAsPostgres(`${bin}/pg_ctl -D '${data}' -m immediate stop >/dev/null 2>&1`); } catch { /* already stopped */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
