import type { Command } from 'commander';
import { readCliConfig, writeCliConfig } from '../config-file.js';
import { type CliContext, contextOf } from '../context.js';
import type { SignInSettings } from '../../auth/sign-in-settings.js';
import { type IssuedToken, deviceLogin } from '../device-login.js';
import { ApiCallError, SignoffClient } from '../http-client.js';
import { CliError, EXIT, usageError } from '../exit-codes.js';
import { emit } from '../output.js';
import { withExample } from '../program.js';

interface DevToken {
  readonly token_type: string;
  readonly access_token: string;
  readonly expires_in: number;
}

async function devToken(ctx: CliContext, user: string): Promise<DevToken> {
  try {
    return await ctx.client.json<DevToken>('POST', '/dev/token', { body: { username: user }, anonymous: true });
  } catch (error) {
    if (error instanceof ApiCallError && error.status === 404 && error.code !== 'Request_ResourceNotFound') {
      throw new CliError(`${ctx.client.server} does not issue dev tokens: it signs people in through an external OIDC issuer. `
        + 'Get a token from that issuer and run `signoff login --with-token < token.txt`, or pass --token / SIGNOFF_TOKEN.', EXIT.error);
    }
    throw error;
  }
}

/** Signs in through the server's identity provider, which the server names (`GET /web/config.json`). */
async function issuerLogin(ctx: CliContext): Promise<IssuedToken> {
  const settings = await ctx.client.json<SignInSettings>('GET', '/web/config.json', { anonymous: true });
  if (settings.mode !== 'oidc') {
    throw new CliError(`${ctx.client.server} runs in development mode, with no external OIDC issuer to sign in through: run \`signoff login --user <upn>\`.`, EXIT.error);
  }
  // The code goes to stderr: stdout stays the command's result, for scripts and `--output json`.
  return deviceLogin(settings, (text) => process.stderr.write(`${text}\n`));
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

function saveToken(server: string, token: string, user: string | null, expiresInSeconds: number | null): string {
  const config = readCliConfig();
  const expiresAt = expiresInSeconds === null ? null : new Date(Date.now() + expiresInSeconds * 1000).toISOString();
  return writeCliConfig({ ...config, server, tokens: { ...config.tokens, [server]: { token, user, expiresAt } } });
}

/** `signoff token`, `signoff login`, `signoff logout`. */
export function addAuthCommands(program: Command): void {
  withExample(program.command('token')
    .description('Print a dev-mode access token for a user of the directory (POST /dev/token).')
    .requiredOption('--user <upn>', 'userPrincipalName or object id')
    .action(async (opts: { user: string }, command: Command) => {
      const ctx = contextOf(command);
      const token = await devToken(ctx, opts.user);
      emit(ctx.output, token, () => `${token.access_token}\n`);
    }), 'TOKEN=$(signoff token --user alice@contoso.com)');

  withExample(program.command('login')
    .description('Sign in and store the token (0600) in $XDG_CONFIG_HOME/signoff or ~/.config/signoff. '
      + 'Without options: a device code sign-in at the server\'s OIDC issuer.')
    .option('--user <upn>', 'dev mode: sign in as this user of the directory')
    .option('--with-token', 'store a token read from standard input (from your OIDC identity provider)')
    .action(async (opts: { user?: string; withToken?: boolean }, command: Command) => {
      const ctx = contextOf(command);
      if (opts.user && opts.withToken) throw usageError('Give either --user or --with-token, not both.');
      let token: string;
      let expiresIn: number | null = null;
      if (opts.user) {
        const issued = await devToken(ctx, opts.user);
        token = issued.access_token;
        expiresIn = issued.expires_in;
      } else if (opts.withToken) {
        token = await readStdin();
        if (!token) throw usageError('No token on standard input.');
      } else {
        ({ accessToken: token, expiresIn } = await issuerLogin(ctx));
      }
      const server = ctx.client.server;
      const me = await new SignoffClient(server, token).get<{ userPrincipalName: string }>('/v1.0/me');
      const path = saveToken(server, token, me.userPrincipalName, expiresIn);
      emit(ctx.output, { server, user: me.userPrincipalName, configFile: path }, () => `Signed in to ${server} as ${me.userPrincipalName}; token saved in ${path}.\n`);
    }), 'signoff login --server https://signoff.example.com', 'signoff login --user alice@contoso.com --server http://127.0.0.1:8080', 'signoff login --with-token < token.txt');

  withExample(program.command('logout')
    .description('Forget the token stored for the server.')
    .action(async (_opts: unknown, command: Command) => {
      const ctx = contextOf(command);
      const config = readCliConfig();
      const { [ctx.client.server]: _removed, ...rest } = config.tokens ?? {};
      writeCliConfig({ ...config, tokens: rest });
      emit(ctx.output, { server: ctx.client.server }, () => `Signed out of ${ctx.client.server}.\n`);
    }), 'signoff logout');
}
