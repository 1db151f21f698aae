import assert from 'node:assert/strict'
import { test } from 'node:test'
import { studentTCritical } from '../../src/stats/hypothesis.js'
import { jobLevelRatioInterval, jobSpread } from '../../src/stats/job-spread.js'
import { compareSamples } from '../../src/stats/compare.js'

test('studentTCritical matches the tables (two-sided 95 %: df 1 12.706, 2 4.303, 5 2.571, 30 2.042; large df → 1.960)', () => {
  for (const [df, t] of [[1, 12.706], [2, 4.303], [5, 2.571], [30, 2.042], [1e6, 1.960]] as const) {
    assert.ok(Math.abs(studentTCritical(0.05, df) - t) < 0.001, `df ${df}: ${studentTCritical(0.05, df)}`)
  }
  assert.ok(Math.abs(studentTCritical(0.01, 10) - 3.169) < 0.001)
  assert.throws(() => studentTCritical(0, 3), RangeError)
  assert.throws(() => studentTCritical(0.05, 0), RangeError)
})

test('jobSpread needs three positive medians and is the SD of their logarithms', () => {
  assert.equal(jobSpread([100, 120]), null)
  assert.equal(jobSpread([100, 0, 120]), null)
  assert.equal(jobSpread([100, Number.NaN, 120]), null)
  const s = jobSpread([100, 200, 400])
  assert.equal(s?.jobs, 3)
  assert.ok(Math.abs((s?.sdLog ?? 0) - Math.LN2) < 1e-12)
  // Symmetric in ratio: 2× up and 2× down are the same spread.
  assert.ok(Math.abs((jobSpread([400, 200, 100])?.sdLog ?? 0) - Math.LN2) < 1e-12)
})

test('jobLevelRatioInterval is ratio · exp(∓ t · √2 · sdLog) with jobs − 1 degrees of freedom', () => {
  const [lo, hi] = jobLevelRatioInterval(1.2, { jobs: 6, sdLog: 0.1 })
  const half = 2.5706 * Math.SQRT2 * 0.1
  assert.ok(Math.abs(lo - 1.2 * Math.exp(-half)) < 1e-3 && Math.abs(hi - 1.2 * Math.exp(half)) < 1e-3, `${lo} ${hi}`)
})

test('a known job-to-job spread turns run-level certainty into what whole jobs support', () => {
  const steady = (m: number): number[] => [1, 1.01, 0.99, 1.005, 0.995, 1.002].map(f => m * f)
  const runsOnly = compareSamples(steady(130), steady(100))
  assert.equal(runsOnly.verdict, 'slower')
  assert.equal(runsOnly.ciBasis, 'runs')
  assert.equal(runsOnly.jobSpreadPct, null)

  // Jobs that differ by ~16 % (sdLog 0.15) from one to the next: +30 % is within what they do.
  const wide = compareSamples(steady(130), steady(100), {}, { jobs: 5, sdLog: 0.15 })
  assert.equal(wide.verdict, 'inconclusive', wide.reason)
  assert.equal(wide.ciBasis, 'jobs')
  assert.ok(Math.abs((wide.jobSpreadPct ?? 0) - (Math.exp(0.15) - 1) * 100) < 1e-9)
  assert.ok((wide.changeCi95?.[0] ?? 0) < 0, String(wide.changeCi95))

  // A spread far below the runs' own leaves the runs' interval and the verdict as they were.
  const narrow = compareSamples(steady(130), steady(100), {}, { jobs: 10, sdLog: 0.001 })
  assert.equal(narrow.verdict, 'slower')
  assert.equal(narrow.ciBasis, 'runs')
  assert.deepEqual(narrow.changeCi95, runsOnly.changeCi95)

  // 'same' must hold at job level too: equal medians, but jobs that move ±5 % cannot be called same within 5 %.
  assert.equal(compareSamples(steady(100), steady(100), { minChange: 5 }).verdict, 'same')
  assert.equal(compareSamples(steady(100), steady(100.1), { minChange: 5 }, { jobs: 5, sdLog: 0.05 }).verdict, 'inconclusive')
})

test('with the job-to-job spread known, identical runs of two jobs are not "same" by definition, and no text promises that more repetitions settle it', () => {
  const steady = (m: number): number[] => [1, 1.01, 0.99, 1.005, 0.995, 1.002].map(f => m * f)
  const spread = { jobs: 5, sdLog: 0.1 }
  const identical = compareSamples(steady(100), steady(100), { minChange: 5 }, spread)
  assert.equal(identical.verdict, 'inconclusive', identical.reason)
  assert.equal(identical.ciBasis, 'jobs')
  const close = compareSamples(steady(100), steady(100.1), { minChange: 5 }, spread)
  assert.equal(close.verdict, 'inconclusive', close.reason)
  assert.doesNotMatch(close.reason, /more repetitions would settle it/)
  assert.match(close.reason, /more repetitions within one job cannot narrow/)
  // Without a spread, a sample against itself stays the same by definition.
  assert.equal(compareSamples(steady(100), steady(100), { minChange: 5 }).verdict, 'same')
})

test('"same" still needs an interval over the runs (6 repetitions per side), however steady earlier jobs were', () => {
  // Earlier jobs may have run more repetitions (they are not part of the spec hash): their spread says nothing about a 3-run median.
  const few = compareSamples([100, 101, 99], [100, 100.5, 99.5], { minChange: 5, minRepetitions: 3 }, { jobs: 10, sdLog: 0.005 })
  assert.equal(few.verdict, 'inconclusive', few.reason)
  assert.match(few.reason, /below 6 repetitions per side/)
  const steady = (m: number): number[] => [1, 1.01, 0.99, 1.005, 0.995, 1.002].map(f => m * f)
  assert.equal(compareSamples(steady(100), steady(100.5), { minChange: 5 }, { jobs: 10, sdLog: 0.005 }).verdict, 'same')
})
