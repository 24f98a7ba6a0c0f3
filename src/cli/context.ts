import type { Command } from 'commander';
import { readCliConfig } from './config-file.js';
import { DEFAULT_SERVER, SignoffClient } from './http-client.js';
import { type OutputFormat, parseOutputFormat } from './output.js';

interface GlobalOptions {
  readonly server?: string;
  readonly token?: string;
  readonly output?: string;
}

export interface CliContext {
  readonly client: SignoffClient;
  readonly output: OutputFormat;
}

/** `--server`, then SIGNOFF_SERVER, then the server of the last `signoff login`, then the local default. */
export function resolveServer(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string {
  return (options.server ?? env.SIGNOFF_SERVER ?? readCliConfig(env).server ?? DEFAULT_SERVER).replace(/\/$/, '');
}

/** `--token`, then SIGNOFF_TOKEN, then the token `signoff login` stored for this server. */
export function resolveToken(options: GlobalOptions, server: string, env: NodeJS.ProcessEnv = process.env): string | null {
  return options.token ?? env.SIGNOFF_TOKEN ?? readCliConfig(env).tokens?.[server]?.token ?? null;
}

/** What every server-facing command needs, from the global options of the command being run. */
export function contextOf(command: Command): CliContext {
  const options = command.optsWithGlobals<GlobalOptions>();
  const server = resolveServer(options);
  return { client: new SignoffClient(server, resolveToken(options, server)), output: parseOutputFormat(options.output ?? 'table') };
}
