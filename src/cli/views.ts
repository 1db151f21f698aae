// The wire shapes the CLI reads are the API's own schemas, imported as types only.
import { namesRuntime } from '../schemas/cells.js'
import type { JobListItem, JobView } from '../schemas/job-view.js'
import type { CellSummary } from '../schemas/summary.js'
import { DASH, fixed, ms, safe, table, type Column } from './format.js'

export type { JobListItem, JobView }

const COLUMNS: Array<Column<CellSummary>> = [
  { header: 'executor', value: c => c.executor },
  { header: 'workers', align: 'right', value: c => String(c.workers) },
  { header: 'runs', align: 'right', value: c => `${c.runs}${c.failedRuns > 0 ? ` (${c.failedRuns} failed)` : ''}` },
  { header: 'median wall', align: 'right', value: c => ms(c.medianWallMs) },
  { header: '± stdev', align: 'right', value: c => ms(c.stdevWallMs) },
  { header: 'speedup', align: 'right', value: c => fixed(c.speedup, 2, '×') },
  { header: 'efficiency', align: 'right', value: c => c.efficiency === null ? DASH : fixed(c.efficiency * 100, 0, ' %') },
  { header: 'busy cores', align: 'right', value: c => `${fixed(c.busyCores, 2)}${c.busyShare == null ? '' : ` (${fixed(c.busyShare * 100, 0, ' %')})`}` },
  { header: 'task slowdown', align: 'right', value: c => fixed(c.taskSlowdown, 2, '×') },
  { header: 'startup', align: 'right', value: c => ms(c.startupMs) },
  { header: 'verified', value: c => c.verified === null ? DASH : c.verified ? '✓' : '✗ MISMATCH' }
]

const RUNTIME: Column<CellSummary> = { header: 'runtime', value: c => c.runtime }

/**
 * The per-cell summary of a job as an aligned table (with a runtime column when the job ran more
 * than Node: each speedup is against the serialized run of its own runtime), then the job's
 * warnings and error, if any.
 */
export function renderSummary (job: Pick<JobView, 'id' | 'name' | 'status' | 'warnings' | 'error' | 'summary'>): string {
  const summary = job.summary
  const cells = summary.cells
  const lines = [`${safe(job.name)} (${job.id}): ${job.status}`, '', table(cells, namesRuntime(cells.map(c => c.runtime)) ? [RUNTIME, ...COLUMNS] : COLUMNS).trimEnd()]
  if (summary.answer != null) lines.push('', `answer: ${safe(summary.answer)}`)
  // A finished job already carries the summary's warnings among its own: show each once.
  const warnings = [...new Set([...job.warnings, ...summary.warnings])]
  if (warnings.length > 0) lines.push('', ...warnings.map(w => `warning: ${safe(w)}`))
  if (job.error !== null) lines.push('', `error: ${safe(job.error)}`)
  return lines.join('\n') + '\n'
}
