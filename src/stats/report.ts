import type { JobRecord } from '../store/types.js'
import type { CellSummary, JobSummary } from './summary.js'

const COLUMNS: Array<[string, (c: CellSummary) => unknown]> = [
  ['executor', c => c.executor],
  ['workers', c => c.workers],
  ['runs', c => c.runs],
  ['failed', c => c.failedRuns],
  ['median_wall_ms', c => c.medianWallMs],
  ['mean_wall_ms', c => c.meanWallMs],
  ['stdev_wall_ms', c => c.stdevWallMs],
  ['min_wall_ms', c => c.minWallMs],
  ['max_wall_ms', c => c.maxWallMs],
  ['speedup', c => c.speedup],
  ['efficiency', c => c.efficiency],
  ['parallelism', c => c.parallelism],
  ['startup_ms', c => c.startupMs],
  ['cold_wall_ms', c => c.medianColdWallMs],
  ['throughput_tasks_per_s', c => c.throughput],
  ['verified', c => c.verified],
  ['shared_expected', c => c.shared?.expected ?? null],
  ['shared_lost', c => c.shared?.medianLost ?? null]
]

export function toCsv (summary: JobSummary): string {
  const cell = (v: unknown): string => {
    const s = v === null || v === undefined ? '' : typeof v === 'number' ? String(round(v)) : String(v)
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
  }
  return [COLUMNS.map(c => c[0]).join(','), ...summary.cells.map(c => COLUMNS.map(([, f]) => cell(f(c))).join(','))].join('\n') + '\n'
}

/** A table that reads well pasted into a pull request. */
export function toMarkdown (job: JobRecord, summary: JobSummary, cores: number): string {
  const f = (v: number | null, digits = 1, suffix = ''): string => v === null ? '–' : `${v.toFixed(digits)}${suffix}`
  const lines = [
    `### ${job.name}`,
    '',
    `\`${job.workloadId}\` ${JSON.stringify(job.spec.workload.params)} · ${job.spec.tasks} tasks · ${job.spec.repetitions} repetitions · ${cores} cores · status **${job.status}**`,
    '',
    '| executor | workers | median wall | ± stdev | speedup | efficiency | parallelism | startup | verified |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |',
    ...summary.cells.map(c => `| ${c.executor} | ${c.workers} | ${f(c.medianWallMs, 1, ' ms')} | ${f(c.stdevWallMs, 1)} | ${f(c.speedup, 2, '×')} | ${f(c.efficiency === null ? null : c.efficiency * 100, 0, ' %')} | ${f(c.parallelism, 2)} | ${f(c.startupMs, 1, ' ms')} | ${c.verified === null ? '–' : c.verified ? '✓' : '✗ MISMATCH'} |`)
  ]
  const shared = summary.cells.filter(c => c.shared !== null)
  if (shared.length > 0) {
    lines.push('', '| executor | workers | updates expected | arrived (median) | lost | memory spaces |', '| --- | ---: | ---: | ---: | ---: | ---: |')
    for (const c of shared) {
      const s = c.shared as NonNullable<CellSummary['shared']>
      lines.push(`| ${c.executor} | ${c.workers} | ${s.expected} | ${s.medianArrived} | ${s.medianLost} | ${s.memorySpaces} |`)
    }
  }
  if (job.warnings.length > 0) lines.push('', ...job.warnings.map(w => `> ⚠ ${w}`))
  if (job.error !== null) lines.push('', `> ✗ ${job.error}`)
  return lines.join('\n') + '\n'
}

function round (v: number): number {
  return Math.round(v * 1000) / 1000
}
