import { escapeUnsafe } from '../schemas/text.js'
import { hostCoresText } from '../host/describe.js'
import type { HostFingerprint } from '../host/fingerprint.js'
import type { JobRecord } from '../store/types.js'
import type { CellSummary, JobSummary } from './summary.js'
import type { ScalingSummary } from './sweep.js'

const COLUMNS: Array<[string, (c: CellSummary) => unknown]> = [
  ['runtime', c => c.runtime],
  ['executor', c => c.executor],
  ['workers', c => c.workers],
  ['runs', c => c.runs],
  ['failed', c => c.failedRuns],
  ['median_wall_ms', c => c.medianWallMs],
  ['mean_wall_ms', c => c.meanWallMs],
  ['stdev_wall_ms', c => c.stdevWallMs],
  ['cv', c => c.cv],
  ['median_ci95_low', c => c.medianWallCi95?.[0] ?? null],
  ['median_ci95_high', c => c.medianWallCi95?.[1] ?? null],
  ['min_wall_ms', c => c.minWallMs],
  ['max_wall_ms', c => c.maxWallMs],
  ['speedup', c => c.speedup],
  ['speedup_ci95_low', c => c.speedupCi95?.[0] ?? null],
  ['speedup_ci95_high', c => c.speedupCi95?.[1] ?? null],
  ['efficiency', c => c.efficiency],
  ['busy_cores', c => c.busyCores],
  ['busy_share', c => c.busyShare ?? null],
  ['task_slowdown', c => c.taskSlowdown ?? null],
  ['startup_ms', c => c.startupMs],
  ['cold_wall_ms', c => c.medianColdWallMs],
  ['throughput_tasks_per_s', c => c.throughput],
  ['task_run_p50_ms', c => c.latency?.runMs.p50 ?? null],
  ['task_run_p99_ms', c => c.latency?.runMs.p99 ?? null],
  ['task_latency_p99_ms', c => c.latency?.totalMs.p99 ?? null],
  ['outlier_runs', c => c.outlierRunIds.length],
  ['verified', c => c.verified],
  ['shared_expected', c => c.shared?.expected ?? null],
  ['shared_lost', c => c.shared?.medianLost ?? null],
  // Medians per run, ms: CPU of the threads that ran tasks, and of the coordinator thread (README "Per run").
  ['task_cpu_ms', c => c.taskCpuMs],
  ['coordinator_cpu_ms', c => c.coordinatorCpuMs]
]

/** The job's own columns, after the summary's (so that existing columns keep their positions). */
const JOB_COLUMNS: Array<[string, (j: JobRecord) => string]> = [
  ['job_id', j => j.id],
  ['job_name', j => j.name],
  ['job_tags', j => JSON.stringify(j.tags)]
]

/** The host that ran the job, last (empty fields for a job that never ran). */
const HOST_COLUMNS: Array<[string, (h: HostFingerprint) => string | number]> = [
  ['host_id', h => h.id],
  ['host_name', h => h.hostname],
  ['host_cpu_model', h => h.cpuModel],
  ['host_usable_cores', h => h.usableCores]
]

/**
 * The per-cell summary as CSV (RFC 4180): one row per cell, each with the job's id, name and tags
 * and the host that ran it (`host`: job.hostId's fingerprint; undefined leaves those fields empty);
 * fields with a comma, quote, CR or LF are quoted (quotes doubled), lines end with CRLF. Text that a
 * spreadsheet would run as a formula (starting with = + - @, tab or CR) gets a leading apostrophe
 * (OWASP "CSV injection"), and controls in text are visible escapes (src/schemas/text.ts), so that
 * every record is one line; numbers are left as they are.
 */
export function toCsv (job: JobRecord, summary: JobSummary, host: HostFingerprint | undefined): string {
  const field = (s: string): string => /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
  const text = (s: string): string => field(escapeUnsafe(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s))
  const cell = (v: unknown): string => v === null || v === undefined ? '' : typeof v === 'number' ? String(round(v)) : text(String(v))
  const jobFields = [...JOB_COLUMNS.map(([, f]) => text(f(job))), ...HOST_COLUMNS.map(([, f]) => cell(host === undefined ? null : f(host)))]
  const header = [...COLUMNS, ...JOB_COLUMNS, ...HOST_COLUMNS].map(c => c[0]).join(',')
  return [header, ...summary.cells.map(c => [...COLUMNS.map(([, f]) => cell(f(c))), ...jobFields].join(','))].join('\r\n') + '\r\n'
}

/**
 * Text for one line of Markdown: every character that could start markup (emphasis, code, links,
 * HTML, table cells, headings, strikethrough, entities) is backslash-escaped (CommonMark §2.4), and
 * controls, line breaks and bidirectional overrides become visible escapes, so that no text can end
 * its line, open a table row or a quote, or change what follows it.
 */
export function mdText (s: string): string {
  return escapeUnsafe(s.replace(/[\\`*_[\]<>|#~&!()]/g, c => `\\${c}`))
}

/**
 * A table that reads well pasted into a pull request, naming the host that ran the job and the cores
 * it had (`host`: job.hostId's fingerprint; undefined when the job never ran, and then no host is named).
 */
export function toMarkdown (job: JobRecord, summary: JobSummary, host: HostFingerprint | undefined): string {
  const f = (v: number | null, digits = 1, suffix = ''): string => v === null ? '–' : `${v.toFixed(digits)}${suffix}`
  // Node-only reports keep their columns; a runtime column appears when there is more to tell apart.
  const multi = job.spec.runtimes.some(r => r !== 'node')
  const rt = (c: CellSummary): string => multi ? `| ${c.runtime} ` : ''
  const lines = [
    `### ${mdText(job.name)}`,
    '',
    `${Object.keys(job.tags).length === 0 ? '' : `${Object.entries(job.tags).map(([k, v]) => `${mdText(k)}: ${mdText(v)}`).join(' · ')}\n\n`}\`${job.workloadId}\` ${mdText(JSON.stringify(job.spec.workload.params))} · ${job.spec.tasks} tasks · ${job.spec.repetitions} repetitions${multi ? ` · runtimes ${job.spec.runtimes.join(', ')}` : ''}${hostText(host)} · status **${job.status}**`,
    ...(host === undefined ? [] : ['', `Host: ${mdText(hostCoresText(host))}`]),
    '',
    `${multi ? '| runtime ' : ''}| executor | workers | median wall (95 % CI) | CV | speedup (95 % CI) | efficiency | busy cores | task / coordinator CPU | startup | task p99 | verified |`,
    `${multi ? '| --- ' : ''}| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |`,
    ...summary.cells.map(c => `${rt(c)}| ${c.executor} | ${c.workers} | ${f(c.medianWallMs, 1, ' ms')}${ci(c.medianWallCi95, 1)} | ${f(c.cv === null ? null : c.cv * 100, 1, ' %')} | ${f(c.speedup, 2, '×')}${ci(c.speedupCi95, 2)} | ${f(c.efficiency === null ? null : c.efficiency * 100, 0, ' %')} | ${f(c.busyCores, 2)} | ${f(c.taskCpuMs ?? null, 1, ' ms')} / ${f(c.coordinatorCpuMs ?? null, 1, ' ms')} | ${f(c.startupMs, 1, ' ms')} | ${f(c.latency?.totalMs.p99 ?? null, 2, ' ms')} | ${c.verified === null ? '–' : c.verified ? '✓' : '✗ MISMATCH'} |`)
  ]
  lines.push(...answerSection(summary))
  for (const s of summary.scaling ?? []) lines.push('', `**${multi ? `${s.runtime} ` : ''}${s.executor}** scaling — ${scalingText(s)}`)
  const shared = summary.cells.filter(c => c.shared !== null)
  if (shared.length > 0) {
    lines.push('', `${multi ? '| runtime ' : ''}| executor | workers | updates expected | arrived (median) | lost | memory spaces |`, `${multi ? '| --- ' : ''}| --- | ---: | ---: | ---: | ---: | ---: |`)
    for (const c of shared) {
      const s = c.shared as NonNullable<CellSummary['shared']>
      lines.push(`${rt(c)}| ${c.executor} | ${c.workers} | ${s.expected} | ${s.medianArrived} | ${s.medianLost} | ${s.memorySpaces} |`)
    }
  }
  if (multi) lines.push(...runtimeRatios(summary))
  const outliers = summary.cells.filter(c => c.outlierRunIds.length > 0)
  if (outliers.length > 0) lines.push('', `Outlier runs (flagged, kept; ${outliers[0]?.outlierRule ?? ''}): ${outliers.map(c => `${mdText(c.key)} ×${c.outlierRunIds.length}`).join(', ')}`)
  if (job.warnings.length > 0) lines.push('', ...job.warnings.map(w => `> ⚠ ${mdText(w)}`))
  if (job.error !== null) lines.push('', `> ✗ ${mdText(job.error)}`)
  return lines.join('\n') + '\n'
}

/** Where the job ran: hostname, CPU and the cores its runner could use. */
function hostText (host: HostFingerprint | undefined): string {
  return host === undefined ? '' : ` · on ${mdText(host.hostname)} (${mdText(host.cpuModel)})`
}

/** Same work, same machine: how each runtime's plain loop compares with Node's. */
function runtimeRatios (summary: JobSummary): string[] {
  const serial = summary.cells.filter(c => c.executor === 'serialized' && c.medianWallMs !== null)
  const node = serial.find(c => c.runtime === 'node')
  if (node === undefined) return []
  return serial.filter(c => c.runtime !== 'node').map(c => `\n${c.runtime} serialized takes ${((c.medianWallMs as number) / (node.medianWallMs as number)).toFixed(1)}× the time of node serialized for the same tasks.`)
}

/** The plain answer above the table's details (older stored summaries have none). */
function answerSection (summary: JobSummary): string[] {
  return summary.answer == null ? [] : ['', `**Answer.** ${summary.answer}`]
}

/** One line per pool executor: the models, or why there are none. */
function scalingText (s: ScalingSummary): string {
  if (s.notEnoughData != null) return `${s.notEnoughData}; recommended pool size: ${s.recommendedWorkers ?? '–'}`
  const fCi = s.amdahl?.serialFractionCi95 == null ? '' : ` (95 % CI ${(s.amdahl.serialFractionCi95[0] * 100).toFixed(1)}–${(s.amdahl.serialFractionCi95[1] * 100).toFixed(1)} %)`
  const amdahl = s.amdahl === null ? 'no fit' : `serial fraction ${(s.amdahl.serialFraction * 100).toFixed(1)} %${fCi}, at most ${s.amdahl.ceiling.toFixed(2)}× on ${s.limit ?? '?'} workers`
  const usl = s.usl.ok ? `σ ${s.usl.sigma.toFixed(4)}, κ ${s.usl.kappa.toFixed(5)}, ${s.usl.peakWorkers === null ? `no peak up to ${s.limit ?? '?'} workers` : `peak at ${s.usl.peakWorkers.toFixed(1)} workers`}` : s.usl.reason
  return `Amdahl: ${amdahl}; USL: ${usl}; recommended pool size: ${s.recommendedWorkers ?? '–'}`
}

function ci (interval: [number, number] | null, digits: number): string {
  return interval === null ? '' : ` (${interval[0].toFixed(digits)}–${interval[1].toFixed(digits)})`
}

function round (v: number): number {
  return Math.round(v * 1000) / 1000
}
