// The wire shapes the CLI reads. The job list and job view come from the API's schemas; the summary is
// `unknown` there (it belongs to src/stats), so only the fields printed here are declared, all optional.
import type { JobListItem, JobView } from '../schemas/job-view.js'
import { DASH, fixed, ms, safe, table, type Column } from './format.js'

export type { JobListItem, JobView }

export interface SummaryCell {
  key?: string
  /** Absent in summaries from servers that predate the runtime axis: those ran Node only. */
  runtime?: string
  executor: string
  workers: number
  runs?: number
  failedRuns?: number
  medianWallMs?: number | null
  stdevWallMs?: number | null
  speedup?: number | null
  efficiency?: number | null
  parallelism?: number | null
  busyShare?: number | null
  taskSlowdown?: number | null
  startupMs?: number | null
  verified?: boolean | null
}

export interface Summary {
  answer?: string | null
  cells?: SummaryCell[]
  warnings?: string[]
}

const COLUMNS: Array<Column<SummaryCell>> = [
  { header: 'executor', value: c => c.executor },
  { header: 'workers', align: 'right', value: c => String(c.workers) },
  { header: 'runs', align: 'right', value: c => `${c.runs ?? 0}${(c.failedRuns ?? 0) > 0 ? ` (${c.failedRuns ?? 0} failed)` : ''}` },
  { header: 'median wall', align: 'right', value: c => ms(c.medianWallMs) },
  { header: '± stdev', align: 'right', value: c => ms(c.stdevWallMs) },
  { header: 'speedup', align: 'right', value: c => fixed(c.speedup, 2, '×') },
  { header: 'efficiency', align: 'right', value: c => c.efficiency === null || c.efficiency === undefined ? DASH : fixed(c.efficiency * 100, 0, ' %') },
  { header: 'busy cores', align: 'right', value: c => `${fixed(c.parallelism, 2)}${c.busyShare == null ? '' : ` (${fixed(c.busyShare * 100, 0, ' %')})`}` },
  { header: 'task slowdown', align: 'right', value: c => fixed(c.taskSlowdown, 2, '×') },
  { header: 'startup', align: 'right', value: c => ms(c.startupMs) },
  { header: 'verified', value: c => c.verified === null || c.verified === undefined ? DASH : c.verified ? '✓' : '✗ MISMATCH' }
]

const RUNTIME: Column<SummaryCell> = { header: 'runtime', value: c => c.runtime ?? 'node' }

/** Whether cells need their runtime named: a Node-only job reads as it did before the runtime axis. */
export function namesRuntime (cells: ReadonlyArray<{ runtime?: string }>): boolean {
  return cells.some(c => c.runtime !== undefined && c.runtime !== 'node')
}

/**
 * The per-cell summary of a job as an aligned table (with a runtime column when the job ran more
 * than Node: each speedup is against the serialized run of its own runtime), then the job's
 * warnings and error, if any.
 */
export function renderSummary (job: Pick<JobView, 'id' | 'name' | 'status' | 'warnings' | 'error'> & { summary: unknown }): string {
  const summary = (job.summary ?? {}) as Summary
  const cells = summary.cells ?? []
  const lines = [`${safe(job.name)} (${job.id}): ${job.status}`, '', table(cells, namesRuntime(cells) ? [RUNTIME, ...COLUMNS] : COLUMNS).trimEnd()]
  if (summary.answer != null) lines.push('', `answer: ${safe(summary.answer)}`)
  // A finished job already carries the summary's warnings among its own: show each once.
  const warnings = [...new Set([...job.warnings, ...(summary.warnings ?? [])])]
  if (warnings.length > 0) lines.push('', ...warnings.map(w => `warning: ${safe(w)}`))
  if (job.error !== null) lines.push('', `error: ${safe(job.error)}`)
  return lines.join('\n') + '\n'
}
