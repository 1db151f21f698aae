import type { Command } from 'commander'

interface Options { name?: string, databaseUrl?: string }

export function runnerCommand (program: Command): void {
  program.command('runner')
    .description('run a corebench runner in this process: it holds this machine, claims jobs from the database and measures them (`serve` starts one itself)')
    .option('--name <name>', 'RUNNER_NAME: how the runner is listed (default: the hostname)')
    .option('--database-url <url>', 'DATABASE_URL: the database it takes jobs from')
    .action(async (opts: Options) => {
      // runner.ts reads its configuration from process.env and owns the process from here on; it
      // refuses to start while another live runner holds this machine.
      if (opts.name !== undefined) process.env.RUNNER_NAME = opts.name
      if (opts.databaseUrl !== undefined) process.env.DATABASE_URL = opts.databaseUrl
      await import('../../runner.js')
      await new Promise<never>(() => {})
    })
}
