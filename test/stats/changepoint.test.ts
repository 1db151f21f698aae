import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { mulberry32 } from '../../src/stats/bootstrap.js'
import { changePoints, eDivisive } from '../../src/stats/changepoint.js'

// Reference: github.com/mongodb/signal-processing-algorithms (the E-Divisive of Daly et al., ICPE
// 2020), run offline here with python3 + numpy on its pure-Python path. Its series and expected
// outputs are replayed below; for our own fixture series the file holds every distinct output the
// reference gave over numpy seeds 0–9.
const data = JSON.parse(readFileSync(new URL('./fixtures/changepoint-series.json', import.meta.url), 'utf8'))
const sorted = (series: number[], opts = {}): number[] => eDivisive(series, { pValue: 0.01, ...opts }).map(c => c.index).sort((a, b) => a - b)
const fill = (n: number, v: number): number[] => Array.from({ length: n }, () => v)

test('the reference\'s detection tests (tests/test_detection.py) give the same change points', () => {
  const regression = [...fill(15, 50), ...fill(15, 100)]
  assert.deepEqual(sorted(regression), [15], 'test_finds_simple_regression')
  assert.deepEqual(sorted([...fill(14, 50), 74, ...fill(15, 100)]), [15], 'test_finds_ahead')
  assert.deepEqual(sorted([...fill(14, 50), 76, ...fill(15, 100)]), [14], 'test_finds_behind')
  const second = [...fill(30, 50)]; second[2] = 100; second.fill(100, 15)
  assert.deepEqual(sorted(second), [15], 'test_finds_simple_regression2')
  const recovery = fill(45, 50); recovery[2] = 100; recovery.fill(100, 15, 30); recovery[32] = 100
  assert.deepEqual(sorted(recovery), [15, 33], 'test_regression_and_recovery')
  const two = fill(45, 50); two[2] = 100; two.fill(100, 15, 30); two.fill(150, 30)
  assert.deepEqual(sorted(two), [15, 30], 'test_two_regressions')
  assert.deepEqual(sorted(fill(30, 50)), [], 'test_no_regressions')
  const randomIsh = [41, 18, 23, 3, 32, 11, 40, 13, 29, 48, 47, 35, 18, 21, 6, 2, 23, 3, 4, 7, 120, 103, 102, 81, 71, 62, 115, 61, 108, 63, 70, 98, 65, 96, 64, 74, 70, 113, 90, 114, 208, 196, 153, 150, 225, 179, 206, 165, 177, 151, 218, 217, 244, 245, 229, 195, 225, 229, 176, 250]
  assert.deepEqual(eDivisive(randomIsh, { pValue: 0.01 }).map(c => c.index), [40, 20], 'test_random_ish_data: the strongest first, as the reference orders them')
})

test('the reference\'s profiling series (tests/data/profiling) give its expected counts and, here, its very indexes', () => {
  assert.equal(sorted(data.reference.short.series).length, data.reference.short.expected)
  // The indexes are the reference's own output for these series (numpy seed 1234), not only the count.
  assert.deepEqual(sorted(data.reference.small.series), [25, 64, 69, 114, 173, 198, 237, 242, 288])
  assert.equal(data.reference.small.expected, 9)
  assert.deepEqual(sorted(data.reference.medium.series), [25, 64, 69, 114, 173, 198, 237, 242, 287, 346, 371, 410, 415, 461])
  assert.equal(data.reference.medium.expected, 14)
})

test('fixture series: a clean step, two steps, pure noise and a single outlier give the reference\'s indexes', () => {
  const f = data.fixtures
  assert.deepEqual([sorted(f.step.series)], f.step.reference)
  assert.deepEqual(sorted(f.step.series), [15])
  assert.deepEqual([sorted(f.twoSteps.series)], f.twoSteps.reference)
  assert.deepEqual(sorted(f.twoSteps.series), [15, 30])
  assert.deepEqual(sorted(f.noise.series), [])
  assert.deepEqual(sorted(f.outlier.series), [], 'one outlier is not a change of level')
})

test('a trend is cut into rising steps where the reference cuts it', () => {
  const { series, reference } = data.fixtures.trend
  const found = changePoints(series)
  const indexes = found.map(c => c.index)
  // The reference itself gives [8, 19, 27], with 32 and 14 depending on its seed.
  assert.ok(reference.some((r: number[]) => JSON.stringify(r) === JSON.stringify(indexes)), `${JSON.stringify(indexes)} is one of ${JSON.stringify(reference)}`)
  for (const i of [8, 19, 27]) assert.ok(indexes.includes(i), `${i} in ${JSON.stringify(indexes)}`)
  assert.ok(found.every(c => c.afterMedian > c.beforeMedian && (c.magnitude as number) > 0), 'every step of a rising trend goes up')
})

test('each change point carries the medians on either side, the relative change and its p-value', () => {
  const [c] = changePoints([...fill(10, 100), ...fill(10, 125)])
  assert.ok(c !== undefined)
  assert.equal(c.index, 10)
  assert.equal(c.beforeMedian, 100)
  assert.equal(c.afterMedian, 125)
  assert.equal(c.magnitude, 0.25)
  assert.ok(c.probability <= 0.01, `p = ${c.probability}`)
  assert.deepEqual(changePoints([1, 2]), [], 'too short to split')
  assert.deepEqual(changePoints([]), [])
})

/** Seeded standard normals (Box–Muller over mulberry32; 1 − u keeps the logarithm finite). */
function normals (seed: number): () => number {
  const uniform = mulberry32(seed)
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())
}

test('pure noise of 50 points gives no change point in at least 95 of 100 seeded runs (measured: 97 of 100; 983 of 1000 over seeds 101–1100, i.e. 1.7 % false positives: the reference\'s p = k / (permutations + 1) ≤ 0.01 lets 1 stronger permutation of 100 pass, ≈ 2 / 101 under no change)', () => {
  let quiet = 0
  for (let seed = 1; seed <= 100; seed++) {
    const z = normals(seed)
    const series = Array.from({ length: 50 }, () => 100 + 5 * z())
    if (eDivisive(series, { seed }).length === 0) quiet++
  }
  assert.ok(quiet >= 95, `${quiet} of 100 noise series had no change point`)
})
