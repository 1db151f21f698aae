import { Option, type Command } from 'commander'
import { jobPath, query } from '../client.js'
import { decimal, type Context } from '../context.js'
import { ms, pValue, signedPct, table } from '../format.js'
import { CliError, EXIT_REGRESSION, writeLine } from '../io.js'
import { namesRuntime } from '../views.js'

/** GET /api/jobs/:id/compare/:baselineId (src/stats/compare-jobs.ts). */
interface Comparison {
  job: { id: string }
  baseline: { id: string }
  sameSpec: boolean
  sameHost: boolean
  notes: string[]
  cells: Array<{
    key: string
    runtime?: string
    executor?: string
    workers?: number
    currentMedian: number | null
    baselineMedian: number | null
    changePct: number | null
    changeCi95: [number, number] | null
    pWelch: number | null
    pMannWhitney: number | null
    verdict: string
    reason: string
  }>
  verdict: string
}

type Cell = Comparison['cells'][number]

interface Options { baseline?: boolean, failOn?: 'slower', minChange?: number, alpha?: number, json?: boolean }

export function compareCommand (program: Command, ctx: Context): void {
  program.command('compare')
    .description('compare a job with a baseline job, cell by cell: medians, change, p-values and a verdict')
    .argument('<id>', 'the job to judge')
    .argument('[baseline]', 'the job to compare it with')
    .option('-b, --baseline', 'compare with the baseline set for the job\'s spec instead (PUT /api/baselines/:specHash)')
    .addOption(new Option('--fail-on <verdict>', 'exit 1 when any cell has this verdict (a CI gate)').choices(['slower']))
    .option('--min-change <pct>', 'smallest change in percent that counts as faster or slower (server default 5)', decimal(0, 100))
    .option('--alpha <a>', 'significance level (server default 0.05)', decimal(0, 0.5, { exclusiveMin: true }))
    .option('--json', 'print the API answer as JSON (the exit code still follows --fail-on)')
    .addHelpText('after', '\nExit codes: 0 compared (and no gate tripped), 1 --fail-on matched a cell, 2 usage or API error.')
    .action(async (id: string, baselineId: string | undefined, opts: Options) => {
      if ((baselineId === undefined) === (opts.baseline !== true)) {
        throw new CliError(baselineId === undefined ? 'compare needs a BASELINE job id or --baseline' : 'give either a BASELINE job id or --baseline, not both', 'EUSAGE')
      }
      const against = opts.baseline === true ? 'baseline' : encodeURIComponent(baselineId as string)
      const c = await ctx.client().get<Comparison>(`${jobPath(id)}/compare/${against}${query({ minChange: opts.minChange, alpha: opts.alpha })}`)
      const out = ctx.io.stdout
      if (opts.json === true) {
        writeLine(out, JSON.stringify(c, null, 2))
      } else {
        writeLine(out, `${c.job.id} vs baseline ${c.baseline.id}${c.sameSpec ? '' : ' (different specs)'}${c.sameHost ? '' : ' (different hosts)'}`)
        for (const n of c.notes) writeLine(out, `note: ${n}`)
        writeLine(out)
        // With more than Node, a runtime column and `threaded/2` beside it read better than bare keys.
        const named = namesRuntime(c.cells)
        out.write(table(c.cells, [
          ...(named ? [{ header: 'runtime', value: (x: Cell) => x.runtime ?? 'node' }] : []),
          { header: 'cell', value: x => named ? `${x.executor ?? ''}/${x.workers ?? ''}` : x.key },
          { header: 'baseline', align: 'right', value: x => ms(x.baselineMedian) },
          { header: 'current', align: 'right', value: x => ms(x.currentMedian) },
          { header: 'change', align: 'right', value: x => signedPct(x.changePct) },
          { header: '95 % CI', align: 'right', value: x => x.changeCi95 === null ? '–' : `${signedPct(x.changeCi95[0])} … ${signedPct(x.changeCi95[1])}` },
          { header: 'p (Welch)', align: 'right', value: x => pValue(x.pWelch) },
          { header: 'p (M–W)', align: 'right', value: x => pValue(x.pMannWhitney) },
          { header: 'verdict', value: x => x.verdict }
        ]))
        const explained = c.cells.filter(x => x.verdict !== 'same')
        if (explained.length > 0) writeLine(out)
        for (const x of explained) writeLine(out, `${x.key}: ${x.reason}`)
        writeLine(out)
        writeLine(out, `verdict: ${c.verdict}`)
      }
      if (opts.failOn !== undefined) {
        const hit = c.cells.filter(x => x.verdict === opts.failOn)
        if (hit.length > 0) {
          writeLine(ctx.io.stderr, `corebench: ${hit.length} of ${c.cells.length} cells ${opts.failOn} than baseline ${c.baseline.id}: ${hit.map(x => `${x.key} ${signedPct(x.changePct)}`).join(', ')}`)
          ctx.exitCode = EXIT_REGRESSION
        }
      }
    })
}
