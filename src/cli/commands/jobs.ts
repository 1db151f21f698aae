import { Option, type Command } from 'commander'
import { JOB_STATUSES } from '../../schemas/vocabulary.js'
import { integer, tag, type Context } from '../context.js'
import { fixed, safeDocument, table, truncate, when } from '../format.js'
import { writeLine } from '../io.js'
import type { JobListItem } from '../views.js'
import { query } from '../client.js'

interface Options { status?: string, workload?: string, tag?: string, host?: string, spec?: string, limit: number, cursor?: string, json?: boolean }

export function jobsCommand (program: Command, ctx: Context): void {
  program.command('jobs')
    .description('list jobs, newest first')
    .addOption(new Option('-s, --status <status>', 'only jobs in this status').choices(JOB_STATUSES))
    .option('-w, --workload <id>', 'only jobs of this workload')
    .option('-t, --tag <key:value>', 'only jobs with this tag', tag)
    .option('--host <id>', 'only jobs run on this host')
    .option('--spec <hash>', 'only jobs of this spec hash (the jobs that can be compared)')
    .option('-n, --limit <n>', 'at most this many (1-100)', integer(1, 100), 20)
    .option('--cursor <id>', 'the page after this job (printed when there are more)')
    .option('--json', 'print the API answer as JSON')
    .action(async (opts: Options) => {
      const page = await ctx.client().get<{ items: JobListItem[], nextCursor: string | null }>(
        `/api/jobs${query({ status: opts.status, workload: opts.workload, tag: opts.tag, host: opts.host, specHash: opts.spec, limit: opts.limit, cursor: opts.cursor })}`
      )
      if (opts.json === true) return writeLine(ctx.io.stdout, safeDocument(JSON.stringify(page, null, 2)))
      if (page.items.length === 0) {
        writeLine(ctx.io.stderr, 'corebench: no jobs match')
        return
      }
      ctx.io.stdout.write(table(page.items, [
        { header: 'id', value: j => j.id },
        { header: 'status', value: j => j.status === 'running' && j.progress.tasksTotal > 0 ? `running ${Math.floor(j.progress.tasksDone / j.progress.tasksTotal * 100)} %` : j.status },
        { header: 'workload', value: j => j.runtimes.some(r => r !== 'node') ? `${j.workload} (${j.runtimes.join(' vs ')})` : j.workload },
        { header: 'name', value: j => truncate(j.name, 40) },
        { header: 'created', value: j => when(j.createdAt) },
        { header: 'best speedup', align: 'right', value: j => j.bestSpeedup === null ? '–' : `${fixed(j.bestSpeedup.speedup, 2, '×')} ${j.bestSpeedup.key}` }
      ]))
      if (page.nextCursor !== null) writeLine(ctx.io.stderr, `corebench: more jobs: corebench jobs --cursor ${page.nextCursor}`)
    })
}
