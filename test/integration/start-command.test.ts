import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const BUNDLE = join(ROOT, 'dist/bundle/signoff.mjs');

function newestSource(dir: string): number {
  return Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? newestSource(path) : statSync(path).mtimeMs;
  }));
}

/**
 * What `npm start` runs is the bundle `npm install` builds (one module loads faster than hundreds):
 * this suite starts that file, as a user does, and checks it serves what the source does.
 */
describe('the bundled `npm start` server', { timeout: 180_000 }, () => {
  let child: ChildProcess;
  let url = '';
  const dataDir = mkdtempSync(join(tmpdir(), 'signoff-start-'));

  beforeAll(async () => {
    let stale = true;
    try { stale = statSync(BUNDLE).mtimeMs < newestSource(join(ROOT, 'src')); } catch { /* not built yet */ }
    if (stale) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
    child = spawn(process.execPath, [BUNDLE, 'serve', '--port', '0', '--https-port', '0', '--data-dir', dataDir], {
      cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stderr!.on('data', (d) => { out += d; });
    url = await new Promise<string>((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line:\n${out}`)), 60_000);
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /HTTP\s+(http:\/\/\S+)/.exec(out);
        if (m) { clearTimeout(timer); resolvePromise(m[1]!); }
      });
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}:\n${out}`)); });
    });
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('seeds the demo tenant, issues tokens, answers Graph, serves the inbox, and stops on SIGTERM', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const token = (await (await fetch(`${url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice@contoso.com' }) })).json()).access_token;
    const me = await (await fetch(`${url}/v1.0/me`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect(me.userPrincipalName).toBe('alice@contoso.com');
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const arm = await fetch(`${url}/providers/Microsoft.Authorization/roleAssignmentApprovals?api-version=2021-01-01-preview`, { headers: { authorization: `Bearer ${token}` } });
    expect(arm.status).toBe(200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
