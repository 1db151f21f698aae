import assert from 'node:assert/strict'
import { test } from 'node:test'
import { describe, medianOrderStatisticRanks, percentiles } from '../../src/stats/descriptive.js'

const close = (actual: number, expected: number, tol: number, what = ''): void => {
  assert.ok(Math.abs(actual - expected) <= tol, `${what} expected ${expected} ± ${tol}, got ${actual}`)
}

test('describe: moments, CI and outlier of 1..9 plus 100 (hand-computed)', () => {
  const d = describe([1, 2, 3, 4, 5, 6, 7, 8, 9, 100])
  assert.equal(d.n, 10)
  assert.equal(d.median, 5.5)
  assert.equal(d.mean, 14.5)
  assert.equal(d.min, 1)
  assert.equal(d.max, 100)
  // Σ(x − 14.5)² = (285 + 10000) − 10·14.5² = 8182.5; s = √(8182.5 / 9) = 30.15239
  close(d.stdev as number, 30.15239, 1e-5, 'stdev')
  close(d.cv as number, 30.15239 / 14.5, 1e-6, 'cv')
  // n = 10: P(B ≤ 1) = 11/1024 ≤ 0.025 < P(B ≤ 2) = 56/1024 → ranks 2 and 9, coverage 1 − 22/1024
  assert.deepEqual(d.medianCi95, [2, 9])
  assert.equal(d.medianCiCoverage, 1 - 22 / 1024)
  // |x − 5.5| sorted: 0.5 0.5 1.5 1.5 2.5 2.5 3.5 3.5 4.5 94.5 → MAD = 2.5;
  // 100: 0.6745·94.5/2.5 = 25.5 > 3.5; 1: 0.6745·4.5/2.5 = 1.21 → only index 9
  assert.deepEqual(d.outliers, [9])
  assert.match(d.outlierRule, /3\.5/)
  assert.match(d.ciMethod, /order statistic/)
})

test('median CI: none for n ≤ 5, [min, max] at 96.875 % for n = 6', () => {
  // [min, max] covers 1 − 2·2⁻ⁿ: n = 5 → 0.9375 < 0.95; n = 6 → 0.96875
  assert.equal(describe([5, 1, 4, 2, 3]).medianCi95, null)
  assert.equal(describe([5, 1, 4, 2, 3]).medianCiCoverage, null)
  const d6 = describe([6, 3, 1, 5, 2, 4])
  assert.deepEqual(d6.medianCi95, [1, 6])
  assert.equal(d6.medianCiCoverage, 0.96875)
})

test('median CI ranks for n = 20 and n = 100 match binomial tables', () => {
  // n = 20: Σ_{i≤5} C(20,i) = 21700 → P(B ≤ 5) = 0.020695 ≤ 0.025 < P(B ≤ 6) = 0.0577 → ranks 6, 15
  const r20 = medianOrderStatisticRanks(20)
  assert.deepEqual({ lower: r20?.lower, upper: r20?.upper }, { lower: 6, upper: 15 })
  close(r20?.coverage as number, 1 - 2 * 21700 / 1048576, 1e-12, 'coverage n=20')
  const d = describe(Array.from({ length: 20 }, (_, i) => 20 - i)) // unsorted input
  assert.deepEqual(d.medianCi95, [6, 15])
  // n = 100: the textbook ranks 40 and 61 (P(B ≤ 39) = 0.0176, P(B ≤ 40) = 0.0284), coverage 0.9648
  const r100 = medianOrderStatisticRanks(100)
  assert.equal(r100?.lower, 40)
  assert.equal(r100?.upper, 61)
  close(r100?.coverage as number, 0.9648, 1e-4, 'coverage n=100')
})

test('outliers with MAD = 0 fall back to the mean absolute deviation', () => {
  // median 10, MAD 0; meanAD = 40/8 = 5; 40 / (1.253314·5) = 6.38 > 3.5
  assert.deepEqual(describe([10, 10, 10, 10, 10, 10, 10, 50]).outliers, [7])
  // meanAD = 1/4; 1 / (1.253314·0.25) = 3.19 ≤ 3.5 → not an outlier
  assert.deepEqual(describe([10, 10, 11, 10]).outliers, [])
  assert.deepEqual(describe([7, 7, 7]).outliers, [])
})

test('describe: a single value has no spread, empty input throws', () => {
  const d = describe([42])
  assert.equal(d.stdev, null)
  assert.equal(d.cv, null)
  assert.equal(d.medianCi95, null)
  assert.deepEqual(d.outliers, [])
  assert.throws(() => describe([]), RangeError)
  assert.throws(() => describe([1, NaN]), RangeError)
})

test('percentiles: linear interpolation (R type 7 / numpy default), hand-computed', () => {
  // sorted [15, 20, 35, 40, 50]; index = p/100·4: p40 → 1.6 → 20 + 0.6·15 = 29; p90 → 3.6 → 40 + 0.6·10 = 46
  const input = [40, 15, 50, 35, 20]
  const got = percentiles(input, [0, 25, 40, 50, 90, 100])
  assert.deepEqual(got.map(v => Math.round(v * 1e9) / 1e9), [15, 20, 29, 35, 46, 50])
  assert.deepEqual(input, [40, 15, 50, 35, 20], 'input is not mutated')
  assert.deepEqual(percentiles([7], [0, 50, 99]), [7, 7, 7])
  assert.throws(() => percentiles(input, [101]), RangeError)
  assert.throws(() => percentiles(input, [NaN]), RangeError)
  assert.throws(() => percentiles([], [50]), RangeError)
  assert.throws(() => percentiles(new Float64Array([1, NaN, 2]), [50]), RangeError)
})

test('percentiles: 10 000 000 Float32 values, sorted once', () => {
  const n = 10_000_000
  const xs = new Float32Array(n)
  // a permutation of 0..n−1 (all exact in float32 below 2²⁴): i·7 mod n, 7 coprime with n
  for (let i = 0; i < n; i++) xs[i] = (i * 7) % n
  const started = performance.now()
  const [p50, p95, p99, p100] = percentiles(xs, [50, 95, 99, 100])
  const ms = performance.now() - started
  // type 7 on 0..n−1 is p/100·(n − 1)
  close(p50, 0.5 * (n - 1), 1e-6, 'p50')
  close(p95, 0.95 * (n - 1), 1e-6, 'p95')
  close(p99, 0.99 * (n - 1), 1e-6, 'p99')
  assert.equal(p100, n - 1)
  assert.equal(xs[1], 7, 'input is not mutated')
  assert.ok(ms < 10_000, `took ${ms} ms`)
})
