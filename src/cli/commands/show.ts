import { Option, type Command } from 'commander'
import { jobPath, query } from '../client.js'
import type { Context } from '../context.js'
import { safeDocument } from '../format.js'
import { renderSummary, type JobView } from '../views.js'

export function showCommand (program: Command, ctx: Context): void {
  program.command('show')
    .description('print a job\'s report: the per-cell summary')
    .argument('<id>', 'a job id (j_…)')
    .addOption(new Option('-f, --format <format>', 'md (for a pull request), csv, json, or table (for the terminal)').choices(['md', 'csv', 'json', 'table']).default('md'))
    .action(async (id: string, opts: { format: 'md' | 'csv' | 'json' | 'table' }) => {
      if (opts.format === 'table') {
        ctx.io.stdout.write(renderSummary(await ctx.client().get<JobView>(jobPath(id))))
        return
      }
      const text = await ctx.client().request('GET', `${jobPath(id)}/report${query({ format: opts.format })}`)
      // A report is the server's text: its line ends stay, any other control is shown, not obeyed.
      const shown = safeDocument(text)
      ctx.io.stdout.write(shown.endsWith('\n') ? shown : `${shown}\n`)
    })
}
