import { max, mean, median, min, standardDeviation } from 'simple-statistics'
import type { JobSpec } from '../schemas/job.js'
import type { RunRecord } from '../store/types.js'
import { cellKey, cells } from '../jobs/spec.js'

export interface CellSummary {
  key: string
  executor: string
  workers: number
  runs: number
  failedRuns: number
  medianWallMs: number | null
  meanWallMs: number | null
  stdevWallMs: number | null
  minWallMs: number | null
  maxWallMs: number | null
  /** median wall(serialized) / median wall(this cell) */
  speedup: number | null
  /** speedup / workers */
  efficiency: number | null
  /** Median of (CPU time / wall time): average busy cores. */
  parallelism: number | null
  startupMs: number | null
  medianColdWallMs: number | null
  /** Tasks per second at the median wall time. */
  throughput: number | null
  /** true when every run's checksum matched the serialized one; null without a serialized reference. */
  verified: boolean | null
  shared: { expected: number, medianArrived: number, medianLost: number, memorySpaces: number } | null
}

export interface JobSummary {
  cells: CellSummary[]
  bestSpeedup: { key: string, speedup: number } | null
}

/** Per-cell figures from the recorded runs (failed runs are counted, not averaged). */
export function summarize (spec: JobSpec, runs: RunRecord[]): JobSummary {
  const byCell = new Map<string, RunRecord[]>()
  for (const r of runs) {
    const key = cellKey({ executor: r.executor as never, workers: r.workers })
    byCell.set(key, [...(byCell.get(key) ?? []), r])
  }
  const medianOf = (rs: RunRecord[], f: (r: RunRecord) => number): number | null => rs.length === 0 ? null : median(rs.map(f))
  const serial = (byCell.get('serialized/1') ?? []).filter(r => r.ok)
  const serialMedian = medianOf(serial, r => r.wallMs)

  const out: CellSummary[] = cells(spec).map(c => {
    const key = cellKey(c)
    const all = byCell.get(key) ?? []
    const ok = all.filter(r => r.ok)
    const walls = ok.map(r => r.wallMs)
    const med = medianOf(ok, r => r.wallMs)
    const speedup = med !== null && serialMedian !== null && med > 0 ? serialMedian / med : null
    const verdicts = ok.map(r => r.verified)
    const shared = ok.filter(r => r.shared !== null).map(r => r.shared as NonNullable<RunRecord['shared']>)
    return {
      key,
      executor: c.executor,
      workers: c.workers,
      runs: ok.length,
      failedRuns: all.length - ok.length,
      medianWallMs: med,
      meanWallMs: walls.length > 0 ? mean(walls) : null,
      stdevWallMs: walls.length > 1 ? standardDeviation(walls) : null,
      minWallMs: walls.length > 0 ? min(walls) : null,
      maxWallMs: walls.length > 0 ? max(walls) : null,
      speedup,
      efficiency: speedup === null ? null : speedup / c.workers,
      parallelism: medianOf(ok, r => r.parallelism),
      startupMs: medianOf(ok, r => r.startupMs),
      medianColdWallMs: medianOf(ok, r => r.coldWallMs),
      throughput: med !== null && med > 0 ? spec.tasks / (med / 1000) : null,
      verified: verdicts.length === 0 || verdicts.some(v => v === null) ? null : verdicts.every(v => v === true),
      shared: shared.length === 0
        ? null
        : { expected: shared[0]?.expected ?? 0, medianArrived: median(shared.map(s => s.arrived)), medianLost: median(shared.map(s => s.lost)), memorySpaces: shared[0]?.memorySpaces ?? 0 }
    }
  })
  const best = out.filter(c => c.speedup !== null && c.executor !== 'serialized').sort((a, b) => (b.speedup as number) - (a.speedup as number))[0]
  return { cells: out, bestSpeedup: best === undefined ? null : { key: best.key, speedup: best.speedup as number } }
}
