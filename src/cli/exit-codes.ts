/** The `signoff` command's exit codes; scripts rely on them (README, "Exit codes"). */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  conflict: 3,
  forbidden: 4,
  notFound: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the command reports on stderr before exiting with `exitCode`. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: ExitCode = EXIT.error) {
    super(message);
    this.name = 'CliError';
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, EXIT.usage);
}

/** How an HTTP status from the server maps to an exit code. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 409) return EXIT.conflict;
  if (status === 401 || status === 403) return EXIT.forbidden;
  if (status === 404) return EXIT.notFound;
  return EXIT.error;
}
