import type { JobSpec } from '../schemas/job.js'
import type { RunRecord } from '../store/types.js'
import { cellKey, cells } from '../schemas/cells.js'
import { usableCores } from '../host/cores.js'
import { getWorkload } from '../workloads/index.js'
import { externalWorkload } from '../workloads/external.js'
import { bootstrapRatioOfMedians } from './bootstrap.js'
import { plainAnswer } from './answer.js'
import { impossibleResults } from './checks.js'
import { describe, INTERVAL_MIN_N, percentiles } from './descriptive.js'
import { countedRuns, disturbedCounts, type DisturbedCounts } from './disturbed.js'
import { scaling } from './sweep.js'
import type { CellSummary, JobSummary } from '../schemas/summary.js'

export type { CellSummary, JobSummary, Latency } from '../schemas/summary.js'

/** JobSummary.disturbance as computed now (optional in the schema only for summaries stored before it). */
type JobDisturbance = NonNullable<JobSummary['disturbance']>

const HIGH_CV = 0.1

/** Median of the known values (runs stored before a figure existed, or off Linux, have null). */
function medianOf (values: Array<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null)
  return known.length === 0 ? null : describe(known).median
}
/** Below this, per-job effects (thread placement, JIT state) rival the work itself. */
const SHORT_RUN_MS = 50

/** A serialized cell at least this busy (CPU time / wall time) is computing, not waiting. */
const CPU_BOUND_PARALLELISM = 0.8

/**
 * Per-cell statistics from the recorded runs. `timings` (per-task triples by run id) are optional:
 * they are read once when a job ends, not on every poll. `cores` defaults to this host's usable
 * cores (the runner summarizes on the host that measured).
 */
export function summarize (spec: JobSpec, stored: RunRecord[], timings?: ReadonlyMap<string, Float32Array>, cores = usableCores()): JobSummary {
  // Disturbed runs that a redo replaced stay stored, but out of the statistics.
  const runs = countedRuns(stored)
  const byCell = new Map<string, RunRecord[]>()
  for (const r of runs) {
    if (r.warmup) continue // a failed warm-up run is stored but is not a measurement
    const key = cellKey(r)
    byCell.set(key, [...(byCell.get(key) ?? []), r])
  }
  // Each runtime against its own serialized loop: Python threads vs a Python loop is the GIL question.
  const serialWallsOf = (runtime: string): number[] => (byCell.get(cellKey({ runtime, executor: 'serialized', workers: 1 })) ?? []).filter(r => r.ok).map(r => r.wallMs)
  const warnings: string[] = []

  const out = cells(spec).map((c): CellSummary => {
    const key = cellKey(c)
    const serialWalls = serialWallsOf(c.runtime)
    const serialMedian = serialWalls.length > 0 ? describe(serialWalls).median : null
    const all = byCell.get(key) ?? []
    const ok = all.filter(r => r.ok).sort((a, b) => a.fork - b.fork)
    const d = ok.length > 0 ? describe(ok.map(r => r.wallMs)) : null
    const speedup = d !== null && serialMedian !== null && d.median > 0 ? serialMedian / d.median : null
    const verdicts = ok.map(r => r.verified)
    const shared = ok.filter(r => r.shared !== null).map(r => r.shared as NonNullable<RunRecord['shared']>)
    const med = (f: (r: RunRecord) => number): number | null => ok.length > 0 ? describe(ok.map(f)).median : null
    if (d !== null && d.cv !== null && d.cv > HIGH_CV) warnings.push(`${key}: wall times vary by ${(d.cv * 100).toFixed(0)} % (coefficient of variation); the machine was noisy or the runs are too short`)
    // As hyperfine does: only a first run that is both an outlier and clearly (10 %) slower.
    if (d !== null && d.outliers.includes(0) && (ok[0] as RunRecord).wallMs > 1.1 * d.median) {
      warnings.push(`${key}: the first recorded run was much slower than the rest (caches or JIT still warming up); consider more warm-up runs`)
    }
    return {
      key,
      runtime: c.runtime,
      executor: c.executor,
      workers: c.workers,
      runs: ok.length,
      failedRuns: all.length - ok.length,
      medianWallMs: d?.median ?? null,
      meanWallMs: d?.mean ?? null,
      stdevWallMs: d?.stdev ?? null,
      minWallMs: d?.min ?? null,
      maxWallMs: d?.max ?? null,
      cv: d?.cv ?? null,
      medianWallCi95: d?.medianCi95 ?? null,
      ciMethod: d?.ciMethod ?? null,
      outlierRunIds: d?.outliers.map(i => (ok[i] as RunRecord).id) ?? [],
      outlierRule: d?.outlierRule ?? null,
      speedup,
      // The serialized cell is the reference: its speedup is 1 by definition, not an estimate.
      speedupCi95: speedup === null || c.executor === 'serialized' || Math.min(ok.length, serialWalls.length) < INTERVAL_MIN_N ? null : bootstrapRatioOfMedians(serialWalls, ok.map(r => r.wallMs), { seed: 1 }),
      efficiency: speedup === null ? null : speedup / c.workers,
      busyCores: med(r => r.busyCores),
      busyShare: ok.length > 0 ? (med(r => r.busyCores) as number) / cores : null,
      taskSlowdown: null,
      taskCpuMs: medianOf(ok.map(r => r.taskCpuMs)),
      coordinatorCpuMs: medianOf(ok.map(r => r.coordinatorCpuMs)),
      startupMs: med(r => r.startupMs),
      medianColdWallMs: med(r => r.coldWallMs),
      throughput: d !== null && d.median > 0 ? spec.tasks / (d.median / 1000) : null,
      verified: verdicts.length === 0 || verdicts.some(v => v === null) ? null : verdicts.every(v => v === true),
      shared: shared.length === 0
        ? null
        : { expected: (shared[0] as NonNullable<RunRecord['shared']>).expected, medianArrived: describe(shared.map(s => s.arrived)).median, medianLost: describe(shared.map(s => s.lost)).median, memorySpaces: (shared[0] as NonNullable<RunRecord['shared']>).memorySpaces },
      latency: timings === undefined ? null : latencyOf(ok, timings),
      disturbance: disturbedCounts(stored.filter(r => cellKey(r) === key), all)
    }
  })
  const shortest = Math.min(...out.map(c => c.medianWallMs ?? Infinity))
  if (shortest < SHORT_RUN_MS) {
    warnings.push(`runs are short (median ${shortest.toFixed(1)} ms): at this size two jobs of the same spec have differed by 1.5× (where threads land, JIT state), so compare with care; more tasks or larger params make runs of ${SHORT_RUN_MS} ms or more`)
  }
  for (const c of out) {
    const serialTask = out.find(s => s.runtime === c.runtime && s.executor === 'serialized')?.latency?.runMs.p50
    if (c.latency !== null && serialTask !== undefined && serialTask > 0) c.taskSlowdown = c.latency.runMs.p50 / serialTask
  }
  // The declared kind first: on a loaded host a CPU-bound serialized run can show 0.4 busy cores.
  const kind = getWorkload(spec.workload.id)?.kind ?? externalWorkload(spec.workload.id)?.description.kind
  const serialBusy = out.filter(c => c.executor === 'serialized' && c.busyCores !== null).map(c => c.busyCores as number)
  const cpuBound = kind !== undefined ? kind !== 'io' : serialBusy.length === 0 ? null : Math.min(...serialBusy) >= CPU_BOUND_PARALLELISM
  const walls = new Map([...byCell].map(([key, rs]) => [key, rs.filter(r => r.ok).map(r => r.wallMs)]))
  const sweep = scaling(out, { cores, cpuBound: cpuBound === true, walls, serialWalls: serialWallsOf })
  const impossible = impossibleResults(out, { cores, cpuBound })
  const best = out.filter(c => c.speedup !== null && c.executor !== 'serialized').sort((a, b) => (b.speedup as number) - (a.speedup as number))[0]
  const disturbance = jobDisturbance(stored, out)
  warnings.push(...disturbedWarnings(disturbance))
  const summary: JobSummary = { cores, cpuBound, answer: null, impossible, cells: out, scaling: sweep, bestSpeedup: best === undefined ? null : { key: best.key, speedup: best.speedup as number }, disturbance, warnings: [...impossible, ...warnings] }
  summary.answer = plainAnswer(summary)
  return summary
}

function jobDisturbance (stored: RunRecord[], cells: CellSummary[]): JobDisturbance {
  const recorded = stored.filter(r => r.ok && !r.warmup).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime())
  const max = (values: Array<number | null>): number | null => {
    const known = values.filter((v): v is number => v !== null)
    return known.length === 0 ? null : Math.max(...known)
  }
  // Within one cell (the first measured): a cell's reading is its slowest thread's, so cells of
  // different widths read at different levels.
  const opening = recorded.find(r => r.canaryBeforeMs !== null)
  const first = opening?.canaryBeforeMs ?? null
  const last = opening === undefined ? null : recorded.findLast(r => r.canaryAfterMs !== null && cellKey(r) === cellKey(opening))?.canaryAfterMs ?? null
  const sum = (f: (c: DisturbedCounts) => number): number => cells.reduce((n, c) => n + (c.disturbance === undefined ? 0 : f(c.disturbance)), 0)
  return {
    disturbed: sum(c => c.disturbed),
    redos: sum(c => c.redos),
    counted: sum(c => c.counted),
    maxForeignCpu: max(recorded.map(r => r.foreignCpu)),
    maxRunCanaryDrift: max(recorded.map(r => r.canaryDrift === null ? null : Math.abs(r.canaryDrift))),
    canaryDrift: first === null || last === null || first <= 0 ? null : last / first - 1
  }
}

/** The job's warnings about disturbed runs: never silent when one was redone or counted. */
function disturbedWarnings (d: JobDisturbance): string[] {
  if (d.disturbed === 0) return []
  const out = [`${d.disturbed} recorded run${d.disturbed === 1 ? ' was' : 's were'} disturbed (foreign CPU, steal or canary drift past the DISTURBED_* settings) and ${d.redos} redo${d.redos === 1 ? ' was' : 's were'} run; disturbed runs stay listed, and a redo replaces one in the statistics`]
  if (d.counted > 0) out.push(`${d.counted} fork${d.counted === 1 ? ' was' : 's were'} disturbed on every try (REDO_DISTURBED): the last try is counted, disturbed`)
  return out
}

function latencyOf (runs: RunRecord[], timings: ReadonlyMap<string, Float32Array>): CellSummary['latency'] {
  const packed = runs.map(r => timings.get(r.id)).filter((t): t is Float32Array => t !== undefined)
  const n = packed.reduce((sum, t) => sum + t.length / 3, 0)
  if (n === 0) return null
  const run = new Float64Array(n)
  const total = new Float64Array(n)
  let i = 0
  for (const t of packed) {
    for (let k = 0; k < t.length; k += 3, i++) {
      run[i] = t[k + 1] as number
      total[i] = (t[k] as number) + (t[k + 1] as number) + (t[k + 2] as number)
    }
  }
  const [r50, r95, r99] = percentiles(run, [50, 95, 99]) as [number, number, number]
  const [t50, t95, t99] = percentiles(total, [50, 95, 99]) as [number, number, number]
  return { runMs: { p50: r50, p95: r95, p99: r99 }, totalMs: { p50: t50, p95: t95, p99: t99 } }
}
