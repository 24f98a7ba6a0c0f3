import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChildServer, startChildServer } from './child-server.js';
import { Api } from './http.js';

/** Several `signoff serve` processes on one database, as a load balancer would see them. */
export interface Instances {
  readonly servers: readonly ChildServer[];
  /** One Api per instance; a token from any instance is accepted by all. */
  readonly apis: readonly Api[];
  /** The i-th call goes to instance i modulo the count. */
  at(i: number): Api;
  stop(): Promise<void>;
}

/** The dev issuer every instance names in its tokens, so each accepts the others' tokens. */
export const SHARED_ISSUER = 'http://signoff.test';

/** Several processes starting at once on a busy two-core machine take a while. */
const START_TIMEOUT_MS = 90_000;

/** Starts `count` instances together on `databaseUrl`; each gets its own data dir. */
export async function startInstances(count: number, databaseUrl: string, env: Record<string, string> = {}): Promise<Instances> {
  const dirs = Array.from({ length: count }, () => mkdtempSync(join(tmpdir(), 'signoff-instance-')));
  const started = await Promise.allSettled(dirs.map((dir) => startChildServer(['--data-dir', dir, '--database-url', databaseUrl], {
    SIGNOFF_PUBLIC_URL: SHARED_ISSUER, ...env,
  }, START_TIMEOUT_MS)));
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const apis = servers.map((s) => new Api(s.url));
  return { servers, apis, at: (i) => apis[i % apis.length]!, stop };
}
