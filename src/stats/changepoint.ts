// Change points in a history series: E-Divisive means with a permutation test.
//
// Source: D. S. Matteson and N. A. James, "A Nonparametric Approach for Multiple Change Point
// Analysis of Multivariate Data", JASA 109(505), 2014 (the E-statistic and the divisive search), as
// simplified for performance CI by MongoDB: D. Daly, W. Brown, H. Ingo, J. O'Leary, D. Bradford,
// "The Use of Change Point Detection to Identify Software Performance Regressions in a Continuous
// Integration System", ICPE 2020; reference code github.com/mongodb/signal-processing-algorithms
// (energy_statistics.py, e_divisive.c), whose test series test/stats/changepoint.test.ts replays.
// Like the reference, each split compares the left part of a window with all the rest of it (no
// search over a right end κ) and the distance is |x − y| (α = 1).
import { median } from 'simple-statistics'
import { mulberry32 } from './bootstrap.js'

export interface ChangePointOptions {
  /** Significance level of the permutation test; the reference's detection tests use 0.01. */
  pValue?: number
  /** Permutations per candidate (the reference's default, 100). */
  permutations?: number
  /** Seed of the permutations, so a history always gives the same answer. */
  seed?: number
}

export interface ChangePoint {
  /** Index of the first value after the change (0-based, in the series as given). */
  index: number
  /**
   * The permutation test's p-value for this split when it was found (the reference calls it
   * `probability`): the share of shuffled windows whose best split was at least as strong. Lower is surer.
   */
  probability: number
  /** Median of the segment before (back to the previous change point). */
  beforeMedian: number
  /** Median of the segment after (up to the next change point). */
  afterMedian: number
  /** afterMedian / beforeMedian − 1 (0.2 = 20 % higher); null when beforeMedian is 0. */
  magnitude: number | null
}

/**
 * The test statistic q(τ) = (n·m/(n+m)) · (2/(n·m) Σ|Xi−Yj| − 1/n² Σ|Xi−Xj| − 1/m² Σ|Yi−Yj|) for
 * every split τ of `v` (X = v[0, τ), Y = v[τ, end)), in O(len²) with running sums, as the
 * reference's t_stat_values. Returns the first best split (relative to v) and its statistic.
 */
function bestSplit (v: Float64Array): { tau: number, q: number } {
  const n = v.length
  let cross = 0
  let within = 0
  let rest = 0
  for (let r = 0; r < n; r++) {
    const a = v[r] as number
    for (let c = r + 1; c < n; c++) rest += Math.abs(a - (v[c] as number))
  }
  let best = { tau: 0, q: -Infinity }
  for (let tau = 0; tau < n; tau++) {
    const x = tau
    const y = n - tau
    const e = (x > 0 && y > 0 ? 2 * cross / (x * y) : 0) - (x > 0 ? 2 * within / (x * x) : 0) - (y > 0 ? 2 * rest / (y * y) : 0)
    const q = x * y / (x + y) * e
    if (q > best.q) best = { tau, q }
    const t = v[tau] as number
    let column = 0
    for (let r = 0; r < tau; r++) column += Math.abs((v[r] as number) - t)
    let row = 0
    for (let c = tau + 1; c < n; c++) row += Math.abs(t - (v[c] as number))
    cross += row - column
    within += column
    rest -= row
  }
  return best
}

/** Fisher–Yates in place. */
function shuffle (a: Float64Array, rnd: () => number): Float64Array {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1))
    const t = a[i] as number
    a[i] = a[j] as number
    a[j] = t
  }
  return a
}

/**
 * E-Divisive means: repeatedly takes the strongest split of any window between the change points
 * found so far, and keeps it when fewer than `pValue` of the permutations (each window shuffled on
 * its own) give a split at least as strong, p = (#at least as strong) / (permutations + 1).
 * Returns the change points in the order found (the strongest first).
 */
export function eDivisive (series: readonly number[], opts: ChangePointOptions = {}): Array<{ index: number, probability: number }> {
  const pValue = opts.pValue ?? 0.01
  const permutations = opts.permutations ?? 100
  const rnd = mulberry32(opts.seed ?? 1234)
  const values = Float64Array.from(series)
  const found: Array<{ index: number, probability: number }> = []
  const memo = new Map<string, { index: number, q: number }>()
  for (;;) {
    const bounds = [0, ...found.map(f => f.index).sort((a, b) => a - b), series.length]
    const windows = bounds.slice(1).map((b, i) => [bounds[i] as number, b] as const)
    let candidate = { index: 0, q: -Infinity }
    for (const [a, b] of windows) {
      const key = `${a}:${b}`
      let best = memo.get(key)
      if (best === undefined) {
        const s = bestSplit(values.subarray(a, b))
        best = { index: a + s.tau, q: s.q }
        memo.set(key, best)
      }
      if (best.q > candidate.q) candidate = best
    }
    if (candidate.index === 0 || !(candidate.q > 0)) return found
    let stronger = 0
    // Past this many stronger permutations the split cannot pass: the rest would not change the answer.
    const enough = Math.floor(pValue * (permutations + 1)) + 1
    for (let p = 0; p < permutations && stronger < enough; p++) {
      const q = Math.max(...windows.map(([a, b]) => bestSplit(shuffle(values.slice(a, b), rnd)).q))
      if (q >= candidate.q) stronger++
    }
    const probability = stronger / (permutations + 1)
    if (probability > pValue) return found
    found.push({ index: candidate.index, probability })
  }
}

/**
 * The change points of a series with what changed at each: the medians of the segments on either
 * side (bounded by the neighbouring change points) and their ratio. Sorted by index.
 */
export function changePoints (series: readonly number[], opts: ChangePointOptions = {}): ChangePoint[] {
  const found = eDivisive(series, opts).sort((a, b) => a.index - b.index)
  return found.map((f, i) => {
    const before = median(series.slice(i === 0 ? 0 : (found[i - 1] as { index: number }).index, f.index))
    const after = median(series.slice(f.index, found[i + 1]?.index ?? series.length))
    return { ...f, beforeMedian: before, afterMedian: after, magnitude: before === 0 ? null : after / before - 1 }
  })
}
