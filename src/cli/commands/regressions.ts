import { InvalidArgumentError, Option, type Command } from 'commander'
import type { History } from '../../schemas/history.js'
import { cellKey, cells } from '../../schemas/cells.js'
import type { JobListItem, JobView } from '../../schemas/job-view.js'
import { query } from '../client.js'
import type { Context } from '../context.js'
import { fixed, safe, safeDocument, signedPct, table, when } from '../format.js'
import { CliError, EXIT_REGRESSION, writeLine } from '../io.js'
import { METRICS } from '../../schemas/vocabulary.js'

const GATES = ['slower', 'any'] as const
/** Finished jobs read to find the specs: 10 pages of 100, newest first. */
const MAX_PAGES = 10

interface Options { since?: Date, failOn?: typeof GATES[number], metric: string, spec?: string, host?: string, json?: boolean }

/** One change point with the spec and cell it belongs to. */
interface Found extends Omit<History['changePoints'][number], 'index'> { specHash: string, name: string, cell: string }

/** Where the change began, in workload versions: `A → B` when it began with a new version. */
function versionOf (f: Pick<Found, 'version' | 'previousVersion'>): string {
  if (f.version === null) return ''
  return f.previousVersion !== null && f.previousVersion !== f.version ? `${f.previousVersion} → ${f.version}` : f.version
}

function date (value: string): Date {
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError('expected a date, e.g. 2026-11-30 or 2026-11-30T12:00:00Z')
  return d
}

/** The newest finished job of every spec (optionally one spec, one host), newest first. */
async function specsOf (ctx: Context, opts: Options): Promise<JobListItem[]> {
  const newest = new Map<string, JobListItem>()
  let cursor: string | undefined
  for (let page = 0; page < MAX_PAGES; page++) {
    const p = await ctx.client().get<{ items: JobListItem[], nextCursor: string | null }>(
      `/api/jobs${query({ status: 'finished', specHash: opts.spec, host: opts.host, limit: 100, cursor })}`)
    for (const j of p.items) if (!newest.has(j.specHash)) newest.set(j.specHash, j)
    if (p.nextCursor === null) break
    cursor = p.nextCursor
  }
  return [...newest.values()]
}

export function regressionsCommand (program: Command, ctx: Context): void {
  program.command('regressions')
    .description('list change points in the history of every spec and cell (E-Divisive means over finished jobs)')
    .option('--since <date>', 'only change points first seen in a job created at or after this date', date)
    .addOption(new Option('--fail-on <change>', 'a CI gate: exit 1 on a change for the worse (slower), or on any change').choices(GATES))
    .addOption(new Option('--metric <metric>', 'the metric whose history is searched').choices(METRICS).default('medianWallMs'))
    .option('--spec <hash>', 'only this spec')
    .option('--host <id>', 'only jobs run on this host')
    .option('--json', 'print the change points as JSON (the exit code still follows --fail-on)')
    .addHelpText('after', '\nExit codes: 0 listed (and no gate tripped), 1 --fail-on matched a change point, 2 no finished job to look at, usage or API error.')
    .action(async (opts: Options) => {
      const jobs = await specsOf(ctx, opts)
      if (jobs.length === 0) throw new CliError('nothing to look at: no finished jobs', 'ENOJOBS')
      const found: Found[] = []
      for (const j of jobs) {
        const view = await ctx.client().get<JobView>(`/api/jobs/${encodeURIComponent(j.id)}`)
        for (const c of cells(view.spec)) {
          const h = await ctx.client().get<History>(`/api/history${query({ specHash: j.specHash, runtime: c.runtime, executor: c.executor, workers: c.workers, metric: opts.metric, host: opts.host, limit: 200 })}`)
          for (const { index: _, ...cp } of h.changePoints) {
            if (opts.since === undefined || new Date(cp.createdAt) >= opts.since) found.push({ ...cp, specHash: j.specHash, name: j.name, cell: cellKey(c) })
          }
        }
      }
      const out = ctx.io.stdout
      if (opts.json === true) {
        writeLine(out, safeDocument(JSON.stringify({ metric: opts.metric, specs: jobs.length, changePoints: found }, null, 2)))
      } else if (found.length === 0) {
        writeLine(out, `no change points in ${opts.metric} over ${jobs.length} spec(s)${opts.since === undefined ? '' : ` since ${when(opts.since.toISOString())}`}`)
      } else {
        out.write(table(found, [
          { header: 'spec', value: f => `${f.specHash.slice(0, 8)} ${safe(f.name)}` },
          { header: 'cell', value: f => f.cell },
          { header: 'first job after', value: f => f.jobId },
          { header: 'created', value: f => when(f.createdAt) },
          // Jobs from before versions were recorded have none: no empty column for them.
          ...(found.some(f => f.version !== null) ? [{ header: 'workload version', value: (f: Found) => safe(versionOf(f)) }] : []),
          { header: 'before', align: 'right', value: f => fixed(f.beforeMedian, 2) },
          { header: 'after', align: 'right', value: f => fixed(f.afterMedian, 2) },
          { header: 'change', align: 'right', value: f => signedPct(f.magnitude === null ? null : f.magnitude * 100) },
          { header: 'p', align: 'right', value: f => fixed(f.probability, 3) },
          { header: 'verdict', value: f => f.worse ? 'slower' : 'faster' }
        ]))
      }
      const hit = opts.failOn === undefined ? [] : found.filter(f => opts.failOn === 'any' || f.worse)
      if (hit.length > 0) {
        writeLine(ctx.io.stderr, `corebench: ${hit.length} change point(s) ${opts.failOn === 'any' ? '' : 'for the worse '}in ${opts.metric}: ${hit.map(f => `${f.specHash.slice(0, 8)} ${safe(f.cell)} ${signedPct(f.magnitude === null ? null : f.magnitude * 100)} at ${f.jobId}${f.version === null ? '' : ` (workload ${safe(versionOf(f))})`}`).join(', ')}`)
        ctx.exitCode = EXIT_REGRESSION
      }
    })
}
