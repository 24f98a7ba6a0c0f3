import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Seconds of CPU (user + system) a process has used, from /proc. */
function cpuSecondsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Every process the `postgres` user runs: the cluster's postmaster and backends. */
function postgresPids(): number[] {
  try {
    return execFileSync('pgrep', ['-u', 'postgres'], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export interface CpuShare {
  /** Percent of one core each party used over the run; 200 is both cores of a 2-core machine. */
  readonly signoff: number;
  readonly postgres: number;
  readonly loadGenerator: number;
}

/**
 * Who used the CPU while `run` ran: the Signoff processes, PostgreSQL, and this process (the load
 * generator). It tells a run limited by CPU (the parties add up to every core) from one limited by
 * waiting (a lock, round trips).
 */
export async function measureCpuShare<T>(signoffPids: readonly number[], run: () => Promise<T>): Promise<{ result: T; cpu: CpuShare }> {
  const sum = (pids: readonly number[]) => pids.reduce((total, pid) => total + cpuSecondsOf(pid), 0);
  // Backends come and go with connections: count those alive at the end, from their start.
  const signoffBefore = sum(signoffPids);
  const postgresBefore = new Map(postgresPids().map((pid) => [pid, cpuSecondsOf(pid)]));
  const self = process.cpuUsage();
  const started = performance.now();
  const result = await run();
  const seconds = (performance.now() - started) / 1000;
  const postgres = postgresPids().reduce((total, pid) => total + cpuSecondsOf(pid) - (postgresBefore.get(pid) ?? 0), 0);
  const mine = process.cpuUsage(self);
  const percent = (s: number) => Math.round((100 * s) / seconds);
  return { result, cpu: { signoff: percent(sum(signoffPids) - signoffBefore), postgres: percent(postgres), loadGenerator: percent((mine.user + mine.system) / 1e6) } };
}
