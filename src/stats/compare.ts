// Verdict for one cell of job A against baseline job B (DESIGN.md §7). Values are wall times,
// so a positive change means `current` is slower.
import { median } from 'simple-statistics'
import { bootstrapRatioOfMedians } from './bootstrap.js'
import { INTERVAL_MIN_N } from './descriptive.js'
import { mannWhitneyU, welchTTest } from './hypothesis.js'
import { jobLevelRatioInterval, type JobSpread } from './job-spread.js'

export type Verdict = 'faster' | 'slower' | 'same' | 'inconclusive'

export interface CompareOptions {
  /** Smallest change in percent (5 = 5 %) that matters in practice: the same unit in and out. */
  minChange: number
  /** Significance level of the two-sided test. */
  alpha: number
  /** Fewer repetitions than this in either sample → 'inconclusive'. */
  minRepetitions: number
}

export interface Comparison {
  currentMedian: number | null
  baselineMedian: number | null
  /** (median current − median baseline) / median baseline × 100; positive = slower. */
  changePct: number | null
  /**
   * 95 % CI of changePct: the percentile bootstrap over the repetitions (bootstrap.ts; null below
   * INTERVAL_MIN_N per side), widened on either side to the job-level interval when the job-to-job
   * spread is known (job-spread.ts).
   */
  changeCi95: [number, number] | null
  /** What set changeCi95: the runs of the two jobs, or the spread of earlier jobs (wider). */
  ciBasis: 'runs' | 'jobs' | null
  /** How far one job's median typically lies from the cell's usual level, percent: (exp(sdLog) − 1) × 100 (two jobs differ by ~√2 times that); null when not known. */
  jobSpreadPct: number | null
  pWelch: number | null
  /** Computed whenever both samples are non-empty; it decides from MW_MIN_N values per side. */
  pMannWhitney: number | null
  /** Which p-value decided the verdict. */
  decidingTest: 'mann-whitney' | 'welch' | null
  verdict: Verdict
  reason: string
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = { minChange: 5, alpha: 0.05, minRepetitions: 3 }

/**
 * From 5 per sample on, Mann–Whitney decides: rank-based, so one slow outlier run (GC pause,
 * noisy neighbour) cannot manufacture or mask a difference, and wall times are skewed rather than
 * normal. Below 5 its exact p-values are too coarse (n = 3 + 3: the smallest two-sided p is 0.1,
 * so it could never reach 0.05), and Welch's t-test on the means decides instead.
 */
export const MW_MIN_N = 5

const fmt = (x: number, digits = 2): string => x.toFixed(digits)
/** The threshold without float noise (0.07·100 = 7.000000000000001). */
const fmtT = (x: number): string => String(Number(x.toPrecision(6)))
const fmtP = (p: number): string => p < 0.0001 ? '< 0.0001' : `= ${p.toPrecision(2)}`

/**
 * Rules, with T = minChange (percent) and p the deciding two-sided p-value:
 * - either sample has < minRepetitions values, or the baseline median is 0 → 'inconclusive';
 * - 'same' only when the whole 95 % interval of the change lies within ±T (an equivalence test: a
 *   small median change with a wide interval is no evidence of sameness), so it needs
 *   INTERVAL_MIN_N repetitions per side; a sample compared with itself is the same by definition
 *   (but two distinct jobs with equal runs still differ by a given `spread`);
 * - otherwise |change| < T → 'inconclusive';
 * - |change| ≥ T: 'slower'/'faster' only when p < alpha AND the test's direction agrees with the
 *   sign of the median change AND the change CI (when available) excludes 0; otherwise 'inconclusive'.
 * So two runs of the same spec can only come out 'slower' if their medians differ by ≥ T and both
 * the test and the bootstrap agree: false alarms at most at rate alpha, and never for a change below T.
 * This is the practical-significance rule of criterion.rs ("change within noise threshold") combined
 * with an equivalence-style check of the CI against ±T (cf. TOST, Schuirmann 1987).
 *
 * The p-values count runs as independent, which they are only within one job. `spread`, the
 * job-to-job spread of this cell (job-spread.ts), widens the interval to what whole jobs vary by,
 * so that the CI rules above (same, and "the CI excludes 0" for slower/faster) hold at job level.
 */
export function compareSamples (current: readonly number[], baseline: readonly number[], opts: Partial<CompareOptions> = {}, spread: JobSpread | null = null): Comparison {
  const o = { ...DEFAULT_COMPARE_OPTIONS, ...opts }
  const T = o.minChange
  const nc = current.length
  const nb = baseline.length
  const currentMedian = nc > 0 ? median(current) : null
  const baselineMedian = nb > 0 ? median(baseline) : null
  const changePct = currentMedian !== null && baselineMedian !== null && baselineMedian !== 0
    ? (currentMedian - baselineMedian) / baselineMedian * 100
    : null
  // The same runs on both sides (a job against itself) are one sample, not two: no uncertainty within
  // the runs. Two distinct jobs still vary by the job-to-job spread when it is given (compareJobs gives
  // none for a job against itself).
  const sortedBase = [...baseline].sort((a, b) => a - b)
  const identical = nc === nb && nc > 0 && [...current].sort((a, b) => a - b).every((v, i) => v === sortedBase[i])
  const runCi = identical ? [1, 1] : Math.min(nc, nb) >= INTERVAL_MIN_N ? bootstrapRatioOfMedians(current, baseline) : null
  const jobCi = spread === null || changePct === null ? null : jobLevelRatioInterval(1 + changePct / 100, spread)
  const ratioCi = jobCi === null ? runCi : runCi === null ? jobCi : [Math.min(runCi[0], jobCi[0]), Math.max(runCi[1], jobCi[1])]
  const ciBasis = ratioCi === null ? null : jobCi !== null && (runCi === null || jobCi[0] < runCi[0] || jobCi[1] > runCi[1]) ? 'jobs' as const : 'runs' as const
  const changeCi95: [number, number] | null = ratioCi === null ? null : [(ratioCi[0] - 1) * 100, (ratioCi[1] - 1) * 100]
  const welch = welchTTest(current, baseline)
  const useMw = nc >= MW_MIN_N && nb >= MW_MIN_N
  const mwAny = nc > 0 && nb > 0 ? mannWhitneyU(current, baseline) : null
  const mw = useMw ? mwAny : null
  const base = {
    currentMedian,
    baselineMedian,
    changePct,
    changeCi95,
    ciBasis,
    jobSpreadPct: spread === null ? null : (Math.exp(spread.sdLog) - 1) * 100,
    pWelch: welch?.p ?? null,
    pMannWhitney: mwAny?.p ?? null
  }
  const counts = `${nc} and ${nb} repetitions`
  if (nc < o.minRepetitions || nb < o.minRepetitions) {
    return { ...base, decidingTest: null, verdict: 'inconclusive', reason: `Too few repetitions to compare: ${counts} (need at least ${o.minRepetitions} each).` }
  }
  if (changePct === null) {
    return { ...base, decidingTest: null, verdict: 'inconclusive', reason: 'The baseline median is 0, so a relative change is undefined.' }
  }

  // Deciding p and the direction the test sees (+1: current larger). Welch is null only when both
  // samples are constant and equal (or n < 2): no evidence of a difference, p = 1.
  const decidingTest = mw !== null ? 'mann-whitney' as const : 'welch' as const
  const p = mw !== null ? mw.p : (welch?.p ?? 1)
  const testSign = mw !== null ? Math.sign(mw.u - nc * nb / 2) : Math.sign(welch?.t ?? 0)
  const testName = mw !== null ? 'Mann–Whitney' : 'Welch'
  const other = mw !== null ? (welch === null ? '' : `; Welch p ${fmtP(welch.p)}`) : (mwAny === null ? '' : `; Mann–Whitney p ${fmtP(mwAny.p)}, too coarse to decide below ${MW_MIN_N} per side`)
  const pText = `${testName} p ${fmtP(p)}${other}`
  const ciRange = changeCi95 === null ? '' : `95 % CI ${fmt(changeCi95[0])} to ${fmt(changeCi95[1])} %${ciBasis === 'jobs' ? `, from the spread of ${spread?.jobs ?? 0} earlier jobs` : ''}`
  const ciText = changeCi95 === null ? '' : ` (${ciRange})`
  // 'same' needs the runs' own interval too: earlier jobs may have run more repetitions than these two.
  const ciWithin = runCi !== null && changeCi95 !== null && changeCi95[0] > -T && changeCi95[1] < T
  const change = `${changePct >= 0 ? '+' : ''}${fmt(changePct)} %`
  const done = (verdict: Verdict, reason: string): Comparison => ({ ...base, decidingTest, verdict, reason })
  const jobLevel = 'whole jobs of this spec on this host vary that much, which more repetitions within one job cannot narrow'

  if (ciWithin) return done('same', `Change of ${change}${ciText} lies entirely within ±${fmtT(T)} % (${pText}, ${counts}).`)
  if (Math.abs(changePct) < T) {
    const why = runCi === null ? `there is no interval ${changeCi95 === null ? '' : 'over the runs '}below ${INTERVAL_MIN_N} repetitions per side` : `its ${ciRange} reaches past ±${fmtT(T)} %`
    return done('inconclusive', `Change of ${change} is below the ${fmtT(T)} % threshold, but ${why}, so 'same' is not shown (${pText}, ${counts}); ${ciBasis === 'jobs' ? jobLevel : 'more repetitions would settle it'}.`)
  }
  const direction = changePct > 0 ? 'slower' : 'faster'
  if (p >= o.alpha) {
    return done('inconclusive', `Median is ${change}${ciText} but the difference is not significant (${pText} ≥ ${o.alpha}, ${counts}); more repetitions needed.`)
  }
  if (testSign !== Math.sign(changePct)) {
    return done('inconclusive', `Medians say ${direction} by ${change} but the ${testName} test points the other way (${pText}); the samples are likely skewed by outliers.`)
  }
  if (changeCi95 !== null && changeCi95[0] <= 0 && changeCi95[1] >= 0) {
    const level = ciBasis === 'jobs' ? `: ${jobLevel}` : ''
    return done('inconclusive', `Median is ${change} with ${pText}, but its ${ciRange} includes no change${level}.`)
  }
  return done(direction, `${direction === 'slower' ? 'Slower' : 'Faster'} by ${fmt(Math.abs(changePct))} %${ciText}, ${pText} < ${o.alpha} with ${counts}.`)
}
