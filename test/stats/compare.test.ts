import assert from 'node:assert/strict'
import { test } from 'node:test'
import { mulberry32 } from '../../src/stats/bootstrap.js'
import { compareSamples } from '../../src/stats/compare.js'

/** n wall times around `center` with Gaussian noise of relative sd `cv` (Box–Muller on a seeded PRNG). */
function walls (seed: number, n: number, center: number, cv: number): number[] {
  const rand = mulberry32(seed)
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())
    return center * (1 + cv * z)
  })
}

test('a clear 20 % slowdown with 10 repetitions is slower (Mann–Whitney decides)', () => {
  const r = compareSamples(walls(1, 10, 120, 0.03), walls(2, 10, 100, 0.03))
  assert.equal(r.verdict, 'slower', r.reason)
  assert.equal(r.decidingTest, 'mann-whitney')
  assert.ok(r.pMannWhitney !== null && r.pMannWhitney < 0.05)
  assert.ok(r.pWelch !== null && r.pWelch < 0.05)
  assert.ok(r.changePct !== null && Math.abs(r.changePct - 20) < 5, `change ${r.changePct}`)
  assert.ok(r.changeCi95 !== null && r.changeCi95[0] > 5 && r.changeCi95[0] < r.changePct && r.changeCi95[1] > r.changePct)
  assert.match(r.reason, /^Slower by \d+\.\d+ %.*10 and 10 repetitions\.$/)
})

test('the same data the other way round is faster', () => {
  const r = compareSamples(walls(2, 10, 100, 0.03), walls(1, 10, 120, 0.03))
  assert.equal(r.verdict, 'faster', r.reason)
  assert.ok(r.changePct !== null && r.changePct < -10)
})

test('with 3 repetitions Welch decides and a clear slowdown is still detected', () => {
  // medians 120 vs 100: +20 %; Welch t = 20/√(2·1/3) = 24.5, df = 4 → p ≈ 1.6e-5
  const r = compareSamples([119, 120, 121], [99, 100, 101])
  assert.equal(r.decidingTest, 'welch')
  // Computed and shown, named, but too coarse to decide: 3 + 3 values cannot go below p = 0.1.
  assert.equal(r.pMannWhitney, 0.1)
  assert.match(r.reason, /Welch p < 0\.0001; Mann–Whitney p = 0\.10, too coarse to decide below 5 per side/)
  assert.equal(r.changePct, 20)
  assert.equal(r.verdict, 'slower', r.reason)
})

test('2 repetitions are inconclusive whatever the difference', () => {
  const r = compareSamples(walls(1, 2, 120, 0.01), walls(2, 10, 100, 0.01))
  assert.equal(r.verdict, 'inconclusive')
  assert.match(r.reason, /2 and 10 repetitions/)
  assert.ok(r.changePct !== null && r.changePct > 15, 'the figures are still reported')
  assert.equal(compareSamples([1, 2, 3], [2, 3], { minRepetitions: 3 }).verdict, 'inconclusive')
})

test('a sample compared with itself is the same', () => {
  const xs = walls(5, 8, 100, 0.05)
  const r = compareSamples(xs, xs)
  assert.equal(r.changePct, 0)
  assert.equal(r.verdict, 'same', r.reason)
  assert.equal(compareSamples([100, 100, 100], [100, 100, 100]).verdict, 'same')
})

test('two runs of the same spec are same or inconclusive; false alarms stay well under alpha', () => {
  const r = compareSamples(walls(11, 10, 100, 0.05), walls(12, 10, 100, 0.05))
  assert.ok(r.verdict === 'same' || r.verdict === 'inconclusive', r.reason)
  // Over many pairs from one distribution a confident verdict may only appear as a rare
  // false alarm, at well under the 5 % significance level (both the test and the CI must agree).
  const verdicts = { same: 0, inconclusive: 0, slower: 0, faster: 0 }
  for (let s = 0; s < 200; s++) {
    for (const n of [3, 30]) {
      const v = compareSamples(walls(1000 + 2 * s, n, 100, 0.03), walls(1001 + 2 * s, n, 100, 0.03)).verdict
      verdicts[v]++
      if (n === 3) assert.notEqual(v, 'same', 'three repetitions have no interval, so never enough for same')
    }
  }
  assert.ok(verdicts.slower <= 0.025 * 400, JSON.stringify(verdicts))
  assert.ok(verdicts.faster <= 0.025 * 400, JSON.stringify(verdicts))
  // 30 repetitions at 3 % noise pin the change to about ±2 %: same, nearly always.
  assert.ok(verdicts.same > 0.4 * 400, JSON.stringify(verdicts))
})

test('a tiny but significant change is the same (below the practical threshold)', () => {
  // +2 % with 1 % noise and 30 repetitions: clearly significant, CI well inside ±5 %
  const r = compareSamples(walls(21, 30, 102, 0.01), walls(22, 30, 100, 0.01))
  assert.ok(r.pMannWhitney !== null && r.pMannWhitney < 0.05, `p ${r.pMannWhitney}`)
  assert.ok(r.changeCi95 !== null && r.changeCi95[0] > 0 && r.changeCi95[1] < 5)
  assert.equal(r.verdict, 'same', r.reason)
  assert.match(r.reason, /lies entirely within ±5 %/)
})

test('significant, below the threshold, but a CI reaching past it is inconclusive', () => {
  const r = compareSamples(walls(31, 10, 104, 0.03), walls(131, 10, 100, 0.03))
  assert.ok(r.changePct !== null && r.changePct > 0 && r.changePct < 5, `change ${r.changePct}`)
  assert.ok(r.pMannWhitney !== null && r.pMannWhitney < 0.05)
  assert.ok(r.changeCi95 !== null && r.changeCi95[1] > 5)
  assert.equal(r.verdict, 'inconclusive', r.reason)
  assert.match(r.reason, /reaches past ±5 %/)
})

test('a large but noisy change is inconclusive', () => {
  // medians 106 vs 100 (+6 %); ranks of current among all 10: 1, 2, 8, 9, 10 → U = 15 of 25;
  // exact two-sided p = 2·P(U ≥ 15) = 2·87/252 = 0.6905 (scipy.stats.mannwhitneyu agrees)
  const r = compareSamples([80, 150, 106, 95, 130], [100, 98, 102, 99, 101])
  assert.equal(r.changePct, 6)
  assert.ok(r.pMannWhitney !== null && Math.abs(r.pMannWhitney - 0.6905) < 1e-4, `p ${r.pMannWhitney}`)
  assert.equal(r.verdict, 'inconclusive', r.reason)
  assert.match(r.reason, /not significant/)
})

test('options: a higher minChange turns the 20 % slowdown into same', () => {
  const cur = walls(1, 10, 120, 0.03)
  const base = walls(2, 10, 100, 0.03)
  assert.equal(compareSamples(cur, base, { minChange: 30 }).verdict, 'same', 'minChange is in percent')
  assert.equal(compareSamples(cur, base, { minRepetitions: 11 }).verdict, 'inconclusive')
})

test('a zero baseline median is inconclusive', () => {
  const r = compareSamples([1, 2, 3], [0, 0, 0])
  assert.equal(r.changePct, null)
  assert.equal(r.verdict, 'inconclusive')
})

test('same only when the whole interval of the change lies within the threshold', () => {
  // The case: medians close, a change interval of about −12 % … +83 %: never "same".
  const cur = [80, 150, 101, 95, 180, 99]
  const base = [100, 98, 102, 99, 101, 100]
  const r = compareSamples(cur, base)
  assert.ok(r.changePct !== null && Math.abs(r.changePct) < 5, `change ${r.changePct}`)
  assert.ok(r.changeCi95 !== null && (r.changeCi95[0] < -5 || r.changeCi95[1] > 5), JSON.stringify(r.changeCi95))
  assert.equal(r.verdict, 'inconclusive', r.reason)
  // Below 6 repetitions there is no interval: no "same" either, and the reason says why.
  const few = compareSamples([100, 101, 99], [100, 100.5, 99.5])
  assert.equal(few.changeCi95, null)
  assert.equal(few.verdict, 'inconclusive', few.reason)
  assert.match(few.reason, /no interval below 6 repetitions per side/)
})
