import type { Command } from 'commander'
import { jobPath } from '../client.js'
import type { Context } from '../context.js'
import { writeLine } from '../io.js'
import { table, when } from '../format.js'
import type { JobView } from '../views.js'

interface Baseline { specHash: string, jobId: string, createdAt: string }

/** `corebench baseline set <job>` and `corebench baseline list`: what `compare --baseline` compares with. */
export function baselineCommand (program: Command, ctx: Context): void {
  const baseline = program.command('baseline')
    .description('the job each spec is compared with by `compare <job> --baseline`')

  baseline.command('set')
    .description('make a finished job the baseline of its spec')
    .argument('<job>', 'a finished job id (j_…)')
    .action(async (id: string) => {
      const client = ctx.client()
      const job = await client.get<JobView>(jobPath(id))
      const b = await client.json<Baseline>('PUT', `/api/baselines/${encodeURIComponent(job.specHash)}`, { jobId: job.id })
      writeLine(ctx.io.stdout, `baseline of spec ${b.specHash} is now ${b.jobId} (${job.name})`)
    })

  baseline.command('list')
    .description('the current baseline of every spec that has one')
    .option('--json', 'the API\'s answer as JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await ctx.client().get<Baseline[]>('/api/baselines')
      if (opts.json === true) { writeLine(ctx.io.stdout, JSON.stringify(list, null, 2)); return }
      ctx.io.stdout.write(table(list, [
        { header: 'spec', value: b => b.specHash },
        { header: 'job', value: b => b.jobId },
        { header: 'since', value: b => when(b.createdAt) }
      ]))
    })
}
