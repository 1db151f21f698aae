import { escapeUnsafe } from '../schemas/text.js'

/** Where the CLI writes: process.stdout/stderr from the bin, string collectors in tests. */
export interface Output {
  write: (chunk: string) => unknown
  isTTY?: boolean
  columns?: number
}

export interface Io {
  stdout: Output
  stderr: Output
  env: Record<string, string | undefined>
}

/** Exit codes: 1 is reserved for a `compare --fail-on` gate that tripped; everything else wrong is 2. */
export const EXIT_OK = 0
export const EXIT_REGRESSION = 1
export const EXIT_ERROR = 2

/**
 * An error the CLI reports as one line, `corebench: <message> (<code>)`, and exits with `exitCode`.
 * The API's own errors keep their COREBENCH_ERR_* code; the CLI's use short ones of its own.
 */
export class CliError extends Error {
  constructor (message: string, readonly code: string | null = null, readonly exitCode: number = EXIT_ERROR) {
    super(message)
    this.name = 'CliError'
  }
}

/**
 * Writes one line (or a block of lines). Whatever came from the server in it, no control character
 * other than a line end or a tab reaches the terminal (ESC, CR, C1, bidirectional overrides become
 * visible escapes); single-line fields are escaped where they are put in, see `safe`.
 */
export function writeLine (out: Output, line = ''): void {
  out.write(`${escapeUnsafe(line, { keepLines: true })}\n`)
}
