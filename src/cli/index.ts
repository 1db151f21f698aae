import { Command, CommanderError } from 'commander'
import { version } from '../version.js'
import { baselineCommand } from './commands/baseline.js'
import { compareCommand } from './commands/compare.js'
import { hostCommand } from './commands/host.js'
import { presetsCommand, workloadsCommand } from './commands/catalog.js'
import { regressionsCommand } from './commands/regressions.js'
import { jobsCommand } from './commands/jobs.js'
import { runnerCommand } from './commands/runner.js'
import { serveCommand } from './commands/serve.js'
import { showCommand } from './commands/show.js'
import { submitCommand } from './commands/submit.js'
import { tokenCommand } from './commands/token.js'
import { workloadCommand } from './commands/workload.js'
import { createContext } from './context.js'
import { safe } from './format.js'
import { CliError, EXIT_ERROR, EXIT_OK, type Io, writeLine } from './io.js'

export type { Io, Output } from './io.js'

/**
 * Runs the `corebench` CLI with `argv` (the arguments after the program name) and resolves with the
 * exit code: 0 done, 1 a `compare` or `regressions --fail-on` gate tripped, 2 a usage, connection or API error (one
 * line on stderr). Tests call it in-process with their own `io`; the bin passes the process's.
 * `serve` and `runner` do not resolve: the server (or runner) owns the process until it shuts down.
 */
export async function main (argv: readonly string[], io: Partial<Io> = {}): Promise<number> {
  const full: Io = { stdout: io.stdout ?? process.stdout, stderr: io.stderr ?? process.stderr, env: io.env ?? process.env }
  const abort = new AbortController()
  // Ctrl-C stops waiting on the server (a job being watched keeps running); a second one exits at once.
  // Only for the real terminal, and only once a request is made: `serve` leaves SIGINT to the server.
  const onSigint = (): void => {
    if (abort.signal.aborted) process.exit(130)
    abort.abort()
  }
  let armed = false
  const arm = (): void => {
    if (armed || full.stdout !== process.stdout) return
    armed = true
    process.on('SIGINT', onSigint)
  }

  const program = new Command('corebench')
  const ctx = createContext(full, abort.signal, () => program.opts<{ url?: string }>().url, arm)
  program
    .description('Benchmark workloads under Node (and Python) concurrency models on a corebench server')
    .version(version, '-V, --version')
    .option('--url <url>', 'the corebench server (default: $COREBENCH_URL, else http://127.0.0.1:3000)')
    .addHelpText('after', '\nEnvironment: COREBENCH_URL (the server), COREBENCH_TOKEN (sent as Authorization: Bearer).\nExit codes: 0 ok, 1 compare or regressions --fail-on matched, 2 usage, connection or API error.')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => { full.stdout.write(s) },
      writeErr: (s) => { full.stderr.write(s) },
      // Commander's "error: …\n(Did you mean …?)" in the same one-line shape as every other error.
      outputError: (s, write) => { write(`corebench: ${s.replace(/^error: /, '').trim().split('\n').join(' ')} (EUSAGE)\n`) }
    })

  serveCommand(program)
  runnerCommand(program)
  submitCommand(program, ctx)
  jobsCommand(program, ctx)
  showCommand(program, ctx)
  compareCommand(program, ctx)
  baselineCommand(program, ctx)
  presetsCommand(program, ctx)
  workloadsCommand(program, ctx)
  hostCommand(program, ctx)
  regressionsCommand(program, ctx)
  tokenCommand(program, ctx)
  workloadCommand(program, ctx)

  try {
    await program.parseAsync([...argv], { from: 'user' })
    return ctx.exitCode
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; anything else commander refuses is a usage error (1 is reserved).
      return err.exitCode === 0 ? EXIT_OK : EXIT_ERROR
    }
    if (err instanceof CliError) {
      // An API error's message and code are the server's text: kept to one plain line.
      writeLine(full.stderr, `corebench: ${safe(err.message)}${err.code === null ? '' : ` (${safe(err.code)})`}`)
      return err.exitCode
    }
    writeLine(full.stderr, `corebench: unexpected error: ${safe(err instanceof Error ? err.message : String(err))}`)
    return EXIT_ERROR
  } finally {
    if (armed) process.removeListener('SIGINT', onSigint)
  }
}
