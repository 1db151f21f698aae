// Job-to-job spread of one cell, for comparisons of two jobs (DESIGN.md §7).
//
// A job's repetitions share what lasts the whole job: the host's state while it ran, other
// tenants, the CPU's clock. A test over the runs of two jobs cannot see that level of variation:
// two jobs of one spec came out 55 % apart with Mann–Whitney p = 0.004 here. Kalibera & Jones
// ("Rigorous Benchmarking in Reasonable Time", ISMM 2013) measure each level of variation by
// repeating at that level: here, earlier jobs of the same spec on the same host.
import { studentTCritical } from './hypothesis.js'

/** Fewer earlier jobs than this give no spread: two points have one degree of freedom and a t of 12.7. */
export const SPREAD_MIN_JOBS = 3

export interface JobSpread {
  /** How many job medians the spread was estimated from. */
  jobs: number
  /** Sample standard deviation of ln(job median), ln(ms). */
  sdLog: number
}

/**
 * The spread of one cell's job medians (ms, each > 0): sample SD of their logarithms, so that a
 * spread is relative and symmetric for faster and slower. Null below SPREAD_MIN_JOBS medians or
 * when one is not a positive finite number.
 */
export function jobSpread (medians: readonly number[]): JobSpread | null {
  if (medians.length < SPREAD_MIN_JOBS || medians.some(m => !(m > 0) || !Number.isFinite(m))) return null
  const logs = medians.map(Math.log)
  const mean = logs.reduce((s, x) => s + x, 0) / logs.length
  const variance = logs.reduce((s, x) => s + (x - mean) ** 2, 0) / (logs.length - 1)
  return { jobs: medians.length, sdLog: Math.sqrt(variance) }
}

/**
 * The interval of the ratio median(current job) / median(baseline job) that job-to-job variation
 * alone produces: ratio · exp(∓ t · √2 · sdLog), t the two-sided Student critical value with
 * jobs − 1 degrees of freedom. √2: both jobs carry a job-level deviation of their own. A
 * prediction interval for the difference of two new draws from one normal population (of log medians).
 */
export function jobLevelRatioInterval (ratio: number, spread: JobSpread, confidence = 0.95): [number, number] {
  const half = studentTCritical(1 - confidence, spread.jobs - 1) * Math.SQRT2 * spread.sdLog
  return [ratio * Math.exp(-half), ratio * Math.exp(half)]
}
