// How each pool executor scales across a job's worker sweep, saying only what the data supports:
// models need three worker counts, nothing is predicted past the usable cores (or, for work that
// waits rather than computes, past the largest count measured), and the serial fraction carries a
// bootstrap interval over the repetitions.
import { median, quantileSorted } from 'simple-statistics'
import { mulberry32 } from './bootstrap.js'
import { INTERVAL_MIN_N } from './descriptive.js'
import { amdahlFit, karpFlatt, recommendPoolSize, uslFit } from './scaling.js'
import type { CellSummary, ScalingSummary } from '../schemas/summary.js'

/** Distinct worker counts a model needs: two points always fit a two-parameter curve exactly (R² = 1). */
export const MIN_WORKER_COUNTS = 3

export type { ScalingSummary }

export interface ScalingInput {
  cores: number
  /** true when one serialized task keeps a core busy (CPU-bound): workers past the cores cannot help. */
  cpuBound: boolean
  /** Wall times of every recorded run per cell key, and of the serialized cell per runtime. */
  walls: ReadonlyMap<string, readonly number[]>
  serialWalls: (runtime: string) => readonly number[]
}

const BOOTSTRAP_ITERATIONS = 1000

/** How each pool executor of each runtime scales across the job's worker sweep. */
export function scaling (cells: CellSummary[], input: ScalingInput): ScalingSummary[] {
  const out: ScalingSummary[] = []
  const runtimes = [...new Set(cells.map(c => c.runtime))]
  for (const runtime of runtimes) for (const executor of ['threaded', 'process']) {
    const mine = cells.filter(c => c.runtime === runtime && c.executor === executor).sort((a, b) => a.workers - b.workers)
    if (mine.length === 0) continue
    const measuredMax = mine.at(-1)?.workers ?? 1
    const limit = input.cpuBound ? input.cores : measuredMax
    const usable = mine.filter(c => c.workers <= limit && c.speedup !== null && c.throughput !== null)
    const counts = new Set(usable.map(c => c.workers)).size
    const enough = counts >= MIN_WORKER_COUNTS
    const withSpeedup = usable.map(c => ({ workers: c.workers, speedup: c.speedup as number }))
    const withThroughput = usable.map(c => ({ workers: c.workers, throughput: c.throughput as number }))
    const fit = enough ? amdahlFit(withSpeedup) : null
    const usl = enough ? capPeak(uslFit(withThroughput), limit) : { ok: false as const, reason: notEnough(counts, input) }
    out.push({
      runtime,
      executor,
      points: mine.map(c => ({ workers: c.workers, speedup: c.speedup, efficiency: c.efficiency, throughput: c.throughput, karpFlatt: enough && c.speedup !== null && c.workers <= limit ? karpFlatt(c.speedup, c.workers) : null })),
      cores: input.cores,
      limit,
      amdahl: fit === null
        ? null
        : {
            serialFraction: fit.serialFraction,
            serialFractionCi95: serialFractionInterval(usable, input.walls, input.serialWalls(runtime)),
            ceiling: 1 / (fit.serialFraction + (1 - fit.serialFraction) / limit),
            r2: fit.r2
          },
      usl,
      notEnoughData: enough ? null : notEnough(counts, input),
      // More workers than cores cannot finish CPU work sooner: a pick past them would be noise.
      recommendedWorkers: recommendPoolSize(mine.filter(c => c.throughput !== null && c.workers <= limit).map(c => ({ workers: c.workers, throughput: c.throughput as number })))
    })
  }
  return out
}

function notEnough (counts: number, input: ScalingInput): string {
  const where = input.cpuBound ? ` within the ${input.cores} usable cores` : ''
  return `not enough data: ${counts} worker count${counts === 1 ? '' : 's'}${where}, a scaling model needs ${MIN_WORKER_COUNTS}`
}

/** A USL peak past the limit is an extrapolation: keep σ and κ, drop the peak. */
function capPeak (usl: ReturnType<typeof uslFit>, limit: number): ReturnType<typeof uslFit> {
  if (!usl.ok || usl.peakWorkers === null || usl.peakWorkers <= limit) return usl
  return { ...usl, peakWorkers: null, peakThroughput: null }
}

/**
 * 95 % percentile bootstrap of Amdahl's serial fraction: each replicate resamples every cell's
 * repetitions (and the serialized ones) with replacement, recomputes the median speedups and refits
 * (Efron & Tibshirani 1993, ch. 13). null when a cell has fewer than INTERVAL_MIN_N runs.
 */
function serialFractionInterval (cells: CellSummary[], walls: ReadonlyMap<string, readonly number[]>, serial: readonly number[]): [number, number] | null {
  const samples = cells.map(c => ({ workers: c.workers, walls: walls.get(c.key) ?? [] }))
  if (serial.length < INTERVAL_MIN_N || samples.some(s => s.walls.length < INTERVAL_MIN_N)) return null
  const rand = mulberry32(1)
  const resample = (xs: readonly number[]): number => median(xs.map(() => xs[Math.floor(rand() * xs.length)] as number))
  const fs: number[] = []
  for (let i = 0; i < BOOTSTRAP_ITERATIONS; i++) {
    const s = resample(serial)
    const f = amdahlFit(samples.map(x => ({ workers: x.workers, speedup: s / resample(x.walls) })))?.serialFraction
    if (f !== undefined) fs.push(f)
  }
  if (fs.length === 0) return null
  fs.sort((a, b) => a - b)
  return [quantileSorted(fs, 0.025), quantileSorted(fs, 0.975)]
}
