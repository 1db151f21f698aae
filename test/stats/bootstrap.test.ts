import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bootstrapRatioOfMedians, mulberry32 } from '../../src/stats/bootstrap.js'

test('mulberry32 is deterministic per seed and roughly uniform on [0, 1)', () => {
  const a = mulberry32(123)
  const b = mulberry32(123)
  const c = mulberry32(124)
  const xs = Array.from({ length: 100_000 }, () => a())
  assert.deepEqual(Array.from({ length: 5 }, () => b()), xs.slice(0, 5))
  assert.notEqual(c(), xs[0])
  assert.ok(xs.every(x => x >= 0 && x < 1))
  // mean of U(0,1) is ½ with sd 1/√(12·10⁵) ≈ 0.0009
  const m = xs.reduce((s, x) => s + x, 0) / xs.length
  assert.ok(Math.abs(m - 0.5) < 0.005, `mean ${m}`)
})

test('ratio CI: constant samples give a degenerate interval at the ratio', () => {
  assert.deepEqual(bootstrapRatioOfMedians([6, 6, 6], [3, 3, 3, 3]), [2, 2])
})

test('ratio CI: hand-derived two-point denominator', () => {
  // numerator {3, 3} is constant; a resample of {1, 2} has median 1, 1.5 or 2 with probability
  // ¼, ½, ¼ → ratio 3, 2 or 1.5. The 2.5 % and 97.5 % points fall inside the ¼ masses → [1.5, 3].
  assert.deepEqual(bootstrapRatioOfMedians([3, 3], [1, 2], { seed: 7 }), [1.5, 3])
})

test('ratio CI: reproducible for a seed, covers the true ratio, narrows with confidence', () => {
  const rand = mulberry32(99)
  const num = Array.from({ length: 30 }, () => 200 + 10 * (rand() - 0.5))
  const den = Array.from({ length: 30 }, () => 100 + 5 * (rand() - 0.5))
  const ci = bootstrapRatioOfMedians(num, den, { seed: 1 })
  assert.ok(ci !== null)
  assert.deepEqual(bootstrapRatioOfMedians(num, den, { seed: 1 }), ci)
  assert.notDeepEqual(bootstrapRatioOfMedians(num, den, { seed: 2 }), ci)
  // every resampled median lies within [195, 205] / [97.5, 102.5], and the true ratio is 2
  assert.ok(ci[0] < 2 && ci[1] > 2, `CI ${ci}`)
  assert.ok(ci[0] > 195 / 102.5 && ci[1] < 205 / 97.5)
  assert.ok(ci[1] - ci[0] < 0.1, `CI ${ci} too wide`)
  const ci80 = bootstrapRatioOfMedians(num, den, { seed: 1, confidence: 0.8 })
  assert.ok(ci80 !== null && ci80[0] >= ci[0] && ci80[1] <= ci[1] && ci80[1] - ci80[0] < ci[1] - ci[0])
})

test('ratio CI: null for < 2 values or a zero denominator median; bad options throw', () => {
  assert.equal(bootstrapRatioOfMedians([1], [1, 2]), null)
  assert.equal(bootstrapRatioOfMedians([1, 2], [3]), null)
  assert.equal(bootstrapRatioOfMedians([1, 2], [0, 0, 1]), null)
  assert.throws(() => bootstrapRatioOfMedians([1, 2], [1, 2], { iterations: 0 }), RangeError)
  assert.throws(() => bootstrapRatioOfMedians([1, 2], [1, 2], { confidence: 1 }), RangeError)
})
