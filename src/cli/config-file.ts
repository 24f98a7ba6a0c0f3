import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What `signoff login` remembers between runs. */
export interface CliConfig {
  readonly server?: string;
  /** Tokens by server URL, so one login per server. */
  readonly tokens?: Readonly<Record<string, { readonly token: string; readonly user: string | null; readonly expiresAt: string | null }>>;
}

/** `$XDG_CONFIG_HOME/signoff`, else `~/.config/signoff`. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'signoff');
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'config.json');
}

export function readCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  try {
    const parsed: unknown = JSON.parse(readFileSync(configPath(env), 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? parsed as CliConfig : {};
  } catch {
    return {};
  }
}

/** Writes the file readable by its owner only: it holds bearer tokens. */
export function writeCliConfig(config: CliConfig, env: NodeJS.ProcessEnv = process.env): string {
  const path = configPath(env);
  mkdirSync(configDir(env), { recursive: true, mode: 0o700 });
  // A new file, owner-only from its first byte, then renamed over the old one: a token is never in
  // a file that an older, looser mode leaves readable, and a reader never sees half a file.
  const fresh = `${path}.${process.pid}.tmp`;
  rmSync(fresh, { force: true });
  writeFileSync(fresh, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(fresh, 0o600);
  renameSync(fresh, path);
  return path;
}
