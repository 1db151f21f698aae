import { InvalidArgumentError, type Command } from 'commander'
import type { JobComparison } from '../../schemas/comparison.js'
import { jobPath, query } from '../client.js'
import { decimal, type Context } from '../context.js'
import { ms, pValue, safe, safeDocument, signedPct, table } from '../format.js'
import { CliError, EXIT_ERROR, EXIT_REGRESSION, writeLine } from '../io.js'
import { namesRuntime } from '../../schemas/cells.js'

/** GET /api/jobs/:id/compare/:baselineId: the server's own schema (types only). */
type Comparison = JobComparison
type Cell = Comparison['cells'][number]

/** Verdicts a gate can fail on: a regression, or a cell the comparison could not decide. */
const GATES = ['slower', 'inconclusive'] as const
type Gate = typeof GATES[number]

interface Options { baseline?: boolean, failOn: Gate[], minChange?: number, alpha?: number, json?: boolean }

/** `--fail-on slower --fail-on inconclusive` or `--fail-on slower,inconclusive`. */
function collectGates (value: string, previous: Gate[] = []): Gate[] {
  const out = new Set(previous)
  for (const v of value.split(',').map(x => x.trim())) {
    if (!(GATES as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected ${GATES.join(' or ')} (comma-separated or repeated)`)
    out.add(v as Gate)
  }
  return [...out]
}

export function compareCommand (program: Command, ctx: Context): void {
  program.command('compare')
    .description('compare a job with a baseline job, cell by cell: medians, change, p-values and a verdict')
    .argument('<id>', 'the job to judge')
    .argument('[baseline]', 'the job to compare it with')
    .option('-b, --baseline', 'compare with the baseline set for the job\'s spec instead (PUT /api/baselines/:specHash)')
    .option('--fail-on <verdict>', 'a CI gate: exit 1 when any cell is slower, or inconclusive (repeatable, or slower,inconclusive)', collectGates, [])
    .option('--min-change <pct>', 'smallest change in percent that counts as faster or slower (server default 5)', decimal(0, 100))
    .option('--alpha <a>', 'significance level (server default 0.05)', decimal(0, 0.5, { exclusiveMin: true }))
    .option('--json', 'print the API answer as JSON (the exit code still follows --fail-on)')
    .addHelpText('after', '\nExit codes: 0 compared (and no gate tripped), 1 --fail-on matched a cell, 2 nothing to compare (either job not\nfinished, or no cell measured on both sides), usage or API error. When every cell is inconclusive nothing was\ndecided: stderr says so, and only --fail-on inconclusive turns that into exit 1.')
    .action(async (id: string, baselineId: string | undefined, opts: Options) => {
      if ((baselineId === undefined) === (opts.baseline !== true)) {
        throw new CliError(baselineId === undefined ? 'compare needs a BASELINE job id or --baseline' : 'give either a BASELINE job id or --baseline, not both', 'EUSAGE')
      }
      const against = opts.baseline === true ? 'baseline' : encodeURIComponent(baselineId as string)
      const c = await ctx.client().get<Comparison>(`${jobPath(id)}/compare/${against}${query({ minChange: opts.minChange, alpha: opts.alpha })}`)
      const out = ctx.io.stdout
      if (opts.json === true) {
        writeLine(out, safeDocument(JSON.stringify(c, null, 2)))
      } else {
        writeLine(out, `${c.job.id} vs baseline ${c.baseline.id}${c.sameSpec ? '' : ' (different specs)'}${c.sameHost ? '' : ' (different hosts)'}`)
        for (const n of c.notes) writeLine(out, `note: ${safe(n)}`)
        writeLine(out)
        // With more than Node, a runtime column and `threaded/2` beside it read better than bare keys.
        const named = namesRuntime(c.cells.map(cell => cell.runtime))
        out.write(table(c.cells, [
          ...(named ? [{ header: 'runtime', value: (x: Cell) => x.runtime ?? 'node' }] : []),
          { header: 'cell', value: x => named ? `${x.executor ?? ''}/${x.workers ?? ''}` : x.key },
          { header: 'baseline', align: 'right', value: x => ms(x.baselineMedian) },
          { header: 'current', align: 'right', value: x => ms(x.currentMedian) },
          { header: 'change', align: 'right', value: x => signedPct(x.changePct) },
          { header: '95 % CI', align: 'right', value: x => x.changeCi95 === null ? '–' : `${signedPct(x.changeCi95[0])} … ${signedPct(x.changeCi95[1])}${x.ciBasis === 'jobs' ? ' (jobs)' : ''}` },
          { header: 'p (Welch)', align: 'right', value: x => pValue(x.pWelch) },
          { header: 'p (M–W)', align: 'right', value: x => pValue(x.pMannWhitney) },
          { header: 'verdict', value: x => x.verdict }
        ]))
        const explained = c.cells.filter(x => x.verdict !== 'same')
        if (explained.length > 0) writeLine(out)
        for (const x of explained) writeLine(out, `${safe(x.key)}: ${safe(x.reason)}`)
        writeLine(out)
        writeLine(out, `verdict: ${c.verdict}`)
      }
      gate(ctx, c, opts.failOn)
    })
}

/** Sets the exit code from the comparison's fields (never from its prose), with one line per reason on stderr. */
function gate (ctx: Context, c: Comparison, failOn: readonly Gate[]): void {
  const err = ctx.io.stderr
  if (!c.comparable) {
    // A failed, running or empty job must not pass a gate as "no regression".
    writeLine(err, `corebench: nothing to compare: ${safe(c.reason ?? 'no common cells')}`)
    ctx.exitCode = EXIT_ERROR
    return
  }
  const n = c.cells.length
  if (c.counts.inconclusive === n) {
    writeLine(err, `corebench: NOTHING WAS DECIDED: all ${n} cells are inconclusive (each cell's reason says why); no cell can be slower, so only --fail-on inconclusive fails on this`)
  }
  for (const verdict of failOn) {
    const hit = c.cells.filter(x => x.verdict === verdict)
    if (hit.length === 0) continue
    const what = verdict === 'slower' ? 'slower than' : 'inconclusive against'
    writeLine(err, `corebench: ${hit.length} of ${n} cells ${what} baseline ${c.baseline.id}: ${hit.map(x => `${safe(x.key)} ${signedPct(x.changePct)}`).join(', ')}`)
    ctx.exitCode = EXIT_REGRESSION
  }
}
