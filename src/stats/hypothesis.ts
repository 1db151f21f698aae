// Two-sample tests on repetitions (DESIGN.md §7): Welch's t-test and the Mann–Whitney U test.
// simple-statistics has neither a Student t CDF nor an exact U distribution, so both are here.
import { errorFunction, gammaln, mean, sampleVariance } from 'simple-statistics'

/**
 * Regularized incomplete beta I_x(a, b), by the continued fraction evaluated with the modified
 * Lentz method (Numerical Recipes in C, 2nd ed., §6.4, betai/betacf). The symmetry
 * I_x(a, b) = 1 − I_{1−x}(b, a) keeps the fraction in its fast-converging region.
 */
export function incompleteBeta (x: number, a: number, b: number): number {
  if (!(x >= 0 && x <= 1)) throw new RangeError(`incompleteBeta: x must be in [0, 1], got ${x}`)
  if (x === 0 || x === 1) return x
  const front = Math.exp(gammaln(a + b) - gammaln(a) - gammaln(b) + a * Math.log(x) + b * Math.log1p(-x))
  return x < (a + 1) / (a + b + 2)
    ? front * betaContinuedFraction(x, a, b) / a
    : 1 - front * betaContinuedFraction(1 - x, b, a) / b
}

function betaContinuedFraction (x: number, a: number, b: number): number {
  const TINY = 1e-300
  const EPS = 1e-15
  const clamp = (v: number): number => Math.abs(v) < TINY ? TINY : v
  let c = 1
  let d = 1 / clamp(1 - (a + b) * x / (a + 1))
  let h = d
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m
    // even step
    let aa = m * (b - m) * x / ((a - 1 + m2) * (a + m2))
    d = 1 / clamp(1 + aa * d)
    c = clamp(1 + aa / c)
    h *= d * c
    // odd step
    aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2))
    d = 1 / clamp(1 + aa * d)
    c = clamp(1 + aa / c)
    const delta = d * c
    h *= delta
    if (Math.abs(delta - 1) < EPS) return h
  }
  throw new Error(`incompleteBeta: continued fraction did not converge (a=${a}, b=${b}, x=${x})`)
}

/** Two-sided tail P(|T| ≥ |t|) of Student's t with df degrees of freedom: I_{df/(df+t²)}(df/2, ½). */
export function studentTTwoSided (t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`df must be > 0, got ${df}`)
  if (!Number.isFinite(t)) return Number.isNaN(t) ? NaN : 0
  return incompleteBeta(df / (df + t * t), df / 2, 0.5)
}

/**
 * Two-sided critical value of Student's t: the t > 0 with P(|T| ≥ t) = alpha for df degrees of
 * freedom (e.g. alpha 0.05, df 2 → 4.303). Bisection on studentTTwoSided, to 1e-9.
 * Throws RangeError for alpha outside (0, 1) or df ≤ 0.
 */
export function studentTCritical (alpha: number, df: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`)
  if (!(df > 0)) throw new RangeError(`df must be > 0, got ${df}`)
  let lo = 0
  let hi = 1
  while (studentTTwoSided(hi, df) > alpha) hi *= 2
  while (hi - lo > 1e-9) {
    const mid = (lo + hi) / 2
    if (studentTTwoSided(mid, df) > alpha) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}

/**
 * Welch's unequal-variances t-test (Welch 1947), df by Welch–Satterthwaite; the same as R's
 * t.test(a, b) default. t > 0 means mean(a) > mean(b).
 * null when either sample has < 2 values, or both have zero variance and equal means (nothing to
 * test). Both variances 0 with different means: the difference is certain, p = 0, t = ±∞ and df is
 * reported as n₁ + n₂ − 2 (Welch's df is 0/0 there).
 */
export function welchTTest (a: readonly number[], b: readonly number[]): { t: number, df: number, p: number } | null {
  if (a.length < 2 || b.length < 2) return null
  const va = sampleVariance(a) / a.length
  const vb = sampleVariance(b) / b.length
  const diff = mean(a) - mean(b)
  const se2 = va + vb
  if (se2 === 0) {
    if (diff === 0) return null
    return { t: diff > 0 ? Infinity : -Infinity, df: a.length + b.length - 2, p: 0 }
  }
  const t = diff / Math.sqrt(se2)
  const df = se2 * se2 / (va * va / (a.length - 1) + vb * vb / (b.length - 1))
  return { t, df, p: studentTTwoSided(t, df) }
}

/** Exact p-values are used when there are no ties and both samples are smaller than this (R's wilcox.test rule). */
export const MW_EXACT_LIMIT = 50

/**
 * Mann–Whitney U test (Mann & Whitney 1947; = Wilcoxon rank-sum). `u` is the statistic of `a`:
 * the number of pairs (aᵢ, bⱼ) with aᵢ > bⱼ, ties counting ½ — R's W and scipy's U1, so
 * u > n₁n₂/2 means `a` tends to be larger. Two-sided p:
 * - exact (permutation distribution of U, counted by dynamic programming) when there are no ties
 *   and n₁, n₂ < 50;
 * - otherwise normal approximation with tie-corrected variance and continuity correction,
 *   as R's wilcox.test(correct = TRUE).
 * Throws on an empty sample.
 */
export function mannWhitneyU (a: readonly number[], b: readonly number[]): { u: number, p: number, exact: boolean, method: string } {
  const n1 = a.length
  const n2 = b.length
  if (n1 === 0 || n2 === 0) throw new RangeError('mannWhitneyU needs two non-empty samples')
  const all = [...a.map(v => ({ v, inA: true })), ...b.map(v => ({ v, inA: false }))].sort((x, y) => x.v - y.v)
  const n = n1 + n2
  let rankSumA = 0
  let tieTerm = 0 // Σ (t³ − t) over tie groups
  for (let i = 0; i < n;) {
    let j = i
    while (j + 1 < n && all[j + 1].v === all[i].v) j++
    const midrank = (i + j + 2) / 2 // ranks are 1-based: i+1 … j+1
    for (let k = i; k <= j; k++) if (all[k].inA) rankSumA += midrank
    const t = j - i + 1
    tieTerm += t * t * t - t
    i = j + 1
  }
  const u = rankSumA - n1 * (n1 + 1) / 2
  const mu = n1 * n2 / 2

  if (tieTerm === 0 && n1 < MW_EXACT_LIMIT && n2 < MW_EXACT_LIMIT) {
    const counts = uDistribution(n1, n2)
    const total = counts.reduce((s, c) => s + c, 0)
    // The null distribution is symmetric about n₁n₂/2: double the smaller tail (as R does).
    const q = Math.min(u, n1 * n2 - u)
    let tail = 0
    for (let k = 0; k <= q; k++) tail += counts[k]
    return { u, p: Math.min(1, 2 * tail / total), exact: true, method: `exact permutation distribution of U (no ties, n1 and n2 < ${MW_EXACT_LIMIT})` }
  }

  const sigma = Math.sqrt(n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1))))
  const method = 'normal approximation with tie correction and continuity correction'
  if (sigma === 0) return { u, p: 1, exact: false, method } // every value tied: no evidence either way
  const z = (u - mu - 0.5 * Math.sign(u - mu)) / sigma
  // Two-sided normal tail = erfc(|z|/√2); simple-statistics' erf is the Numerical Recipes erfc
  // approximation (relative error < 1.2e-7), ample for p-values.
  const p = Math.min(1, 1 - errorFunction(Math.abs(z) / Math.SQRT2))
  return { u, p, exact: false, method }
}

/**
 * counts[k] = number of ways to split ranks 1..n₁+n₂ into the two groups with U = k.
 * Walk the ranks in order; putting the i-th smallest into group A after `k` A's adds (i − k) to U
 * (the B's already passed). In-place 0/1-knapsack update over k descending; O((n₁+n₂)·n₁·n₁n₂).
 * Float64 counts: C(98, 49) ≈ 2.5e28 exceeds 2⁵³ but only ratios matter (relative error ~1e-16).
 */
function uDistribution (n1: number, n2: number): Float64Array {
  const maxU = n1 * n2
  const dp = Array.from({ length: n1 + 1 }, () => new Float64Array(maxU + 1))
  dp[0][0] = 1
  for (let i = 0; i < n1 + n2; i++) {
    for (let k = Math.min(i, n1 - 1); k >= 0; k--) {
      const add = i - k // B's ranked below this element
      if (add > n2) continue // more than n₂ B's: impossible split
      const from = dp[k]
      const to = dp[k + 1]
      for (let s = maxU - add; s >= 0; s--) if (from[s] !== 0) to[s + add] += from[s]
    }
  }
  return dp[n1]
}
