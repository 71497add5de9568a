/** An error the CLI reports as one line on stderr (and as JSON with --json), with an exit code scripts can trust. */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  auth: 3,
  locked: 4,
  notFound: 5,
  notRunning: 6
} as const

export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number = EXIT.error
  ) {
    super(message)
    this.name = 'CliError'
  }
}

export function exitCodeForHttp(status: number, code: string): number {
  if (status === 401 || status === 429) return EXIT.auth
  if (status === 423 || code === 'locked') return EXIT.locked
  if (status === 404) return EXIT.notFound
  if (status === 400) return EXIT.usage
  return EXIT.error
}
