// Bootstrap confidence intervals for ratios of medians, DESIGN.md §7:
// speedup = median wall(serialized) / median wall(cell), and the change between two jobs.
import { median, quantileSorted } from 'simple-statistics'

export interface BootstrapOptions {
  /** Number of bootstrap replicates; default 2000 (Efron & Tibshirani suggest ≥ 1000 for percentile CIs). */
  iterations?: number
  /** Two-sided confidence level in (0, 1); default 0.95. */
  confidence?: number
  /** PRNG seed; a fixed default keeps reports reproducible run to run. */
  seed?: number
}

const DEFAULT_SEED = 0x2545f491

/**
 * mulberry32 (Tommy Ettinger, public domain): a 32-bit-state PRNG, fast and good enough for
 * resampling; unlike Math.random it can be seeded, which makes every CI reproducible.
 * Returns floats in [0, 1).
 */
export function mulberry32 (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Percentile bootstrap CI of median(numerator) / median(denominator) (Efron & Tibshirani,
 * An Introduction to the Bootstrap, 1993, ch. 13). The two samples are independent (different
 * runs), so each is resampled with replacement on its own, keeping its size.
 *
 * Caveat: with very few repetitions the bootstrap distribution of a median is lumpy and the
 * percentile interval under-covers; callers should report n alongside it.
 *
 * Returns null when either sample has < 2 values or median(denominator) is 0.
 */
export function bootstrapRatioOfMedians (
  numerator: readonly number[],
  denominator: readonly number[],
  opts: BootstrapOptions = {}
): [number, number] | null {
  const iterations = opts.iterations ?? 2000
  const confidence = opts.confidence ?? 0.95
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError(`iterations must be a positive integer: ${iterations}`)
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1): ${confidence}`)
  if (numerator.length < 2 || denominator.length < 2) return null
  if (median(denominator) === 0) return null

  const rand = mulberry32(opts.seed ?? DEFAULT_SEED)
  const resampledMedian = (xs: readonly number[], buf: number[]): number => {
    for (let i = 0; i < xs.length; i++) buf[i] = xs[Math.floor(rand() * xs.length)]
    return median(buf)
  }
  const bufN = new Array<number>(numerator.length)
  const bufD = new Array<number>(denominator.length)
  const ratios: number[] = []
  for (let i = 0; i < iterations; i++) {
    const r = resampledMedian(numerator, bufN) / resampledMedian(denominator, bufD)
    // 0/0 can only happen when a resample of the denominator has median 0; it carries no information.
    if (!Number.isNaN(r)) ratios.push(r)
  }
  if (ratios.length === 0) return null
  ratios.sort((a, b) => a - b)
  const alpha = 1 - confidence
  return [quantileSorted(ratios, alpha / 2), quantileSorted(ratios, 1 - alpha / 2)]
}
