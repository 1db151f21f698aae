import type { Command } from 'commander'
import { integer } from '../context.js'

interface Options { port?: number, host?: string, databaseUrl?: string }

export function serveCommand (program: Command): void {
  program.command('serve')
    .description('run the corebench server in this process, with its runner as a supervised child process (RUNNER=off: the API alone; configured by the environment, see the README)')
    .option('-p, --port <port>', 'PORT: the HTTP port (0 picks a free one)', integer(0, 65535))
    .option('-H, --host <host>', 'HOST: the interface to listen on')
    .option('--database-url <url>', 'DATABASE_URL: the SQLite file, file:./data/corebench.db by default')
    .action(async (opts: Options) => {
      // server.ts reads its configuration from process.env and owns the process from here on:
      // listen, then graceful close on SIGTERM/SIGINT, which ends the process itself.
      if (opts.port !== undefined) process.env.PORT = String(opts.port)
      if (opts.host !== undefined) process.env.HOST = opts.host
      if (opts.databaseUrl !== undefined) process.env.DATABASE_URL = opts.databaseUrl
      await import('../../server.js')
      // Never settles: main() does not return while the server runs; close-with-grace ends the process.
      await new Promise<never>(() => {})
    })
}
