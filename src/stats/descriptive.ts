// Descriptive statistics of one sample (e.g. the wallMs of a cell's repetitions), DESIGN.md §7.
// Primitives come from simple-statistics; this file adds the distribution-free median CI,
// outlier flagging and fast percentiles over large typed arrays.
import { max, mean, median, min, quantileSorted, sampleStandardDeviation } from 'simple-statistics'

export interface Description {
  n: number
  median: number
  mean: number
  /** Sample standard deviation (n − 1 denominator); null when n < 2. */
  stdev: number | null
  min: number
  max: number
  /** Coefficient of variation stdev / mean; null when stdev is null or mean is 0. */
  cv: number | null
  /** Distribution-free 95 % CI of the median; null when n < 6 (no such interval exists). */
  medianCi95: [number, number] | null
  /** Exact coverage of medianCi95 (≥ 0.95, e.g. 0.9785 for n = 10); null with medianCi95. */
  medianCiCoverage: number | null
  ciMethod: string
  /** Indices into the input of values flagged (never removed) as outliers; none below INTERVAL_MIN_N values. */
  outliers: number[]
  outlierRule: string
}

/**
 * Fewest values for which this project shows an interval or flags an outlier. Six is where the
 * distribution-free median interval first exists (five values cover at most 93.75 %); the percentile
 * bootstrap and the MAD are too lumpy below it to mean much (three values have only 10 distinct
 * resamples). One number, so that the UI can state one rule.
 */
export const INTERVAL_MIN_N = 6

/** Iglewicz & Hoaglin's recommended cut-off for the modified z-score. hyperfine uses the same score
 *  with a looser cut-off (|x − median| / MAD > 1.4826·10, ~10 σ); we flag, never drop, so stricter is fine. */
const OUTLIER_Z = 3.5
/** Φ⁻¹(0.75): makes MAD a consistent estimator of σ for normal data (σ ≈ MAD / 0.6745). */
const MAD_SCALE = 0.6745
/** √(π/2): ratio of σ to the mean absolute deviation for normal data, used when MAD = 0. */
const MEANAD_SCALE = 1.253314

export const CI_METHOD = 'order statistics (binomial), distribution-free'
export const OUTLIER_RULE = `modified z-score 0.6745·|x − median| / MAD > ${OUTLIER_Z} (Iglewicz & Hoaglin 1993); ` +
  'when MAD = 0, |x − median| / (1.253314·meanAD) > 3.5'

export function describe (values: readonly number[]): Description {
  if (values.length === 0) throw new RangeError('describe() needs at least one value')
  for (const v of values) if (!Number.isFinite(v)) throw new RangeError(`describe() got a non-finite value: ${v}`)
  const n = values.length
  const sorted = [...values].sort((a, b) => a - b)
  const med = median(values)
  const avg = mean(values)
  const stdev = n >= 2 ? sampleStandardDeviation(values) : null
  const ci = medianOrderStatisticRanks(n)
  return {
    n,
    median: med,
    mean: avg,
    stdev,
    min: min(values),
    max: max(values),
    cv: stdev === null || avg === 0 ? null : stdev / avg,
    medianCi95: ci === null ? null : [sorted[ci.lower - 1], sorted[ci.upper - 1]],
    medianCiCoverage: ci === null ? null : ci.coverage,
    ciMethod: CI_METHOD,
    outliers: n >= INTERVAL_MIN_N ? outlierIndices(values, med) : [],
    outlierRule: OUTLIER_RULE
  }
}

/**
 * 1-based ranks (j, n − j + 1) of the narrowest symmetric order-statistic interval that covers the
 * population median with probability ≥ `confidence`, and its exact coverage.
 * The number B of observations below the median is Binomial(n, ½), so
 * P(x₍ⱼ₎ ≤ median ≤ x₍ₙ₋ⱼ₊₁₎) = P(j ≤ B ≤ n − j) = 1 − 2·P(B ≤ j − 1)
 * (Conover, Practical Nonparametric Statistics, 3rd ed., §3.2; Hahn & Meeker, Statistical Intervals, §5.2).
 * Holds for any continuous distribution. For n ≤ 5 even [min, max] covers < 95 % (1 − 2/2⁵ = 93.75 %) → null.
 */
export function medianOrderStatisticRanks (n: number, confidence = 0.95): { lower: number, upper: number, coverage: number } | null {
  const tail = (1 - confidence) / 2
  const eps = 1e-12
  // Binomial(n, ½) pmf in log space so that large n does not underflow 2⁻ⁿ.
  let logPmf = -n * Math.LN2 // P(B = 0)
  let cdf = Math.exp(logPmf) // P(B ≤ i), i = 0
  if (cdf > tail + eps) return null
  let j = 1
  for (let i = 1; i < n / 2; i++) {
    logPmf += Math.log((n - i + 1) / i)
    const next = cdf + Math.exp(logPmf)
    if (next > tail + eps) break
    cdf = next
    j = i + 1
  }
  return { lower: j, upper: n - j + 1, coverage: 1 - 2 * cdf }
}

function outlierIndices (values: readonly number[], med: number): number[] {
  const dev = values.map(v => Math.abs(v - med))
  const mad = median(dev)
  // MAD = 0 when more than half the values equal the median: use the mean absolute deviation
  // instead (the usual fallback, e.g. IBM SPSS's modified z-score); all equal → no outliers.
  let scale: number
  if (mad > 0) {
    scale = mad / MAD_SCALE
  } else {
    const meanAd = mean(dev)
    if (meanAd === 0) return []
    scale = MEANAD_SCALE * meanAd
  }
  const out: number[] = []
  dev.forEach((d, i) => { if (d / scale > OUTLIER_Z) out.push(i) })
  return out
}

/**
 * Percentiles (ps in 0..100) by linear interpolation between order statistics — R's type 7 /
 * numpy's default ('linear'), as simple-statistics' quantileSorted computes it.
 * Sorts one typed-array copy (numeric, no comparator callback) so 10⁷ Float32 values stay fast.
 */
export function percentiles (values: ArrayLike<number>, ps: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError('percentiles() needs at least one value')
  for (const p of ps) {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile out of range 0..100: ${p}`)
  }
  // A Float32Array is copied as Float32 (half the memory); its values are exact in float64 arithmetic.
  const sorted = values instanceof Float32Array ? new Float32Array(values) : Float64Array.from(values)
  sorted.sort()
  // Typed-array sort puts NaN last, which would silently corrupt the upper percentiles.
  if (Number.isNaN(sorted[sorted.length - 1])) throw new RangeError('percentiles() got NaN')
  // quantileSorted only indexes its argument, so a typed array is fine at runtime.
  const view = sorted as unknown as readonly number[]
  return ps.map(p => quantileSorted(view, p / 100))
}
