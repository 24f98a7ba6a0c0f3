import { Command, CommanderError, Option } from 'commander';
import { CliError, EXIT } from './exit-codes.js';
import { OUTPUT_FORMATS } from './output.js';

/** The root command with the options every subcommand shares; usage errors exit 2. */
export function createProgram(): Command {
  const program = new Command();
  program.name('signoff')
    .description('Signoff: a self-hostable approval engine speaking Microsoft Graph and ARM approval APIs.')
    .addOption(new Option('--server <url>', 'the Signoff server (env SIGNOFF_SERVER, default http://127.0.0.1:8080)'))
    .addOption(new Option('--token <token>', 'a bearer token (env SIGNOFF_TOKEN, else the one `signoff login` stored)'))
    .addOption(new Option('-o, --output <format>', 'table for people, json for scripts').choices(OUTPUT_FORMATS).default('table'))
    .showSuggestionAfterError()
    .exitOverride()
    .addHelpText('after', [
      '',
      'Exit codes: 0 ok, 1 error, 2 usage, 3 conflict (already decided), 4 forbidden or not signed in, 5 not found.',
      '',
      'Example:',
      '  $ signoff login --user bob@contoso.com',
      '  $ signoff approvals list',
      '',
    ].join('\n'));
  return program;
}

/** Adds an "Example:" section to a command's --help. */
export function withExample(command: Command, ...lines: string[]): Command {
  return command.addHelpText('after', `\nExample:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
}

/** Runs the program and turns every failure into its message on stderr and its exit code. */
export async function runProgram(program: Command, argv: readonly string[]): Promise<void> {
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    process.exitCode = exitCodeFor(error);
    if (!(error instanceof CommanderError)) process.stderr.write(`signoff: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof CommanderError) {
    // --help and --version end through the same path with their own codes.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  return EXIT.error;
}
