import assert from 'node:assert/strict'
import { test } from 'node:test'
import { incompleteBeta, mannWhitneyU, studentTTwoSided, welchTTest } from '../../src/stats/hypothesis.js'

const close = (actual: number, expected: number, tol: number, what = ''): void => {
  assert.ok(Math.abs(actual - expected) <= tol, `${what} expected ${expected} ± ${tol}, got ${actual}`)
}

// R's `sleep` data set (Cushny & Peebles 1905), extra hours of sleep by drug group.
const sleep1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
const sleep2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]

test('incomplete beta and Student t tails against closed forms and tables', () => {
  // I_x(1, 1) = x; I_x(a, 1) = xᵃ; I_½(a, a) = ½ by symmetry
  close(incompleteBeta(0.3, 1, 1), 0.3, 1e-14)
  close(incompleteBeta(0.6, 3, 1), 0.216, 1e-14)
  close(incompleteBeta(0.5, 7.5, 7.5), 0.5, 1e-13)
  // df = 1 is Cauchy: P(|T| ≥ 1) = 1 − 2·atan(1)/π = ½
  close(studentTTwoSided(1, 1), 0.5, 1e-12)
  // t-tables: t(0.975, 10) = 2.228139, t(0.995, 5) = 4.032143
  close(studentTTwoSided(2.228139, 10), 0.05, 1e-6)
  close(studentTTwoSided(-4.032143, 5), 0.01, 1e-6)
  // large df → normal: z(0.975) = 1.959964
  close(studentTTwoSided(1.959964, 1e7), 0.05, 1e-6)
  assert.equal(studentTTwoSided(0, 3), 1)
  assert.equal(studentTTwoSided(Infinity, 3), 0)
})

test("Welch t-test reproduces R's t.test(extra ~ group, data = sleep)", () => {
  // R output (?t.test example): t = -1.8608, df = 17.776, p-value = 0.07939
  const r = welchTTest(sleep1, sleep2)
  assert.ok(r !== null)
  close(r.t, -1.8608, 5e-5, 't')
  close(r.df, 17.776, 5e-4, 'df')
  close(r.p, 0.07939, 5e-6, 'p')
  const swapped = welchTTest(sleep2, sleep1)
  assert.ok(swapped !== null)
  close(swapped.t, 1.8608, 5e-5, 'swapped t')
  close(swapped.p, r.p, 1e-12, 'swapped p')
})

test("Welch t-test: Wikipedia 'Welch's t-test' example 1", () => {
  // Wikipedia reports t = −2.46, ν ≈ 25.0, p = 0.021 (scipy.stats.ttest_ind(equal_var=False):
  // t = −2.455356, df = 24.98853, p = 0.021378)
  const a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4]
  const a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4]
  const r = welchTTest(a1, a2)
  assert.ok(r !== null)
  close(r.t, -2.455356, 1e-6, 't')
  close(r.df, 24.98853, 1e-5, 'df')
  close(r.p, 0.021378, 1e-6, 'p')
})

test('Welch t-test edge cases', () => {
  assert.equal(welchTTest([1], [1, 2, 3]), null, 'n < 2')
  assert.equal(welchTTest([5, 5, 5], [5, 5]), null, 'both constant and equal')
  const certain = welchTTest([5, 5, 5], [6, 6])
  assert.deepEqual(certain, { t: -Infinity, df: 3, p: 0 })
  // one constant sample: df = n − 1 of the other (Welch–Satterthwaite with one variance term)
  const one = welchTTest([1, 2, 3], [10, 10, 10])
  assert.ok(one !== null)
  close(one.df, 2, 1e-12, 'df')
  // t = (2 − 10)/√(1/3) = −13.8564; p = I_{2/(2+t²)}(1, ½) = 1 − √(1 − x) with x = 2/194
  close(one.t, -8 / Math.sqrt(1 / 3), 1e-9, 't')
  close(one.p, 1 - Math.sqrt(1 - 2 / (2 + 192)), 1e-12, 'p')
})

test('Mann–Whitney exact: [1,2,3] vs [4,5,6] is the 1-in-20 extreme', () => {
  // C(6,3) = 20 equally likely splits; U = 0 only for {1,2,3}, U = 9 only for {4,5,6} → p = 2/20
  const r = mannWhitneyU([1, 2, 3], [4, 5, 6])
  assert.equal(r.u, 0)
  assert.equal(r.exact, true)
  close(r.p, 0.1, 1e-15)
  const rev = mannWhitneyU([4, 5, 6], [1, 2, 3])
  assert.equal(rev.u, 9)
  close(rev.p, 0.1, 1e-15)
  // 5 vs 5 fully separated: 2 / C(10,5) = 2/252
  close(mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).p, 2 / 252, 1e-15)
})

test('Mann–Whitney exact: hand-enumerated 2 vs 2 and a 7 vs 6 example', () => {
  // a = {1,3}, b = {2,4}: U = #(a > b) = 1. The 6 splits of ranks {1..4} into A give
  // U = 0 {1,2}, 1 {1,3}, 2 {1,4}, 2 {2,3}, 3 {2,4}, 4 {3,4} → P(U ≤ 1) = 2/6 → p = 4/6
  const r = mannWhitneyU([1, 3], [2, 4])
  assert.equal(r.u, 1)
  close(r.p, 4 / 6, 1e-15)
  // scipy.stats.mannwhitneyu(method='exact'): U = 13, p = 0.2948717948717949 (= 2·253/1716)
  const s = mannWhitneyU([1.1, 2.3, 3.7, 4.2, 8.8, 9.1, 10.5], [3.9, 5.5, 6.1, 7.7, 11.2, 12.9])
  assert.equal(s.u, 13)
  close(s.p, 2 * 253 / 1716, 1e-14)
})

test('Mann–Whitney exact up to 49 per sample, normal approximation from 50', () => {
  // scipy.stats.mannwhitneyu(method='exact') on these 49 + 49: U = 1035, p = 0.2422409756187206
  const a = Array.from({ length: 49 }, (_, i) => i * 2 + 0.5)
  const b = Array.from({ length: 49 }, (_, i) => i * 2 + 7.25)
  const r = mannWhitneyU(a, b)
  assert.equal(r.exact, true)
  assert.equal(r.u, 1035)
  close(r.p, 0.2422409756187206, 1e-12)
  const big = mannWhitneyU([...a, 200], b)
  assert.equal(big.exact, false)
  assert.match(big.method, /normal approximation/)
})

test('Mann–Whitney normal approximation with ties and continuity correction (hand-computed)', () => {
  // Values 1/2/3 with counts a: 8/8/4, b: 2/8/10 (n₁ = n₂ = 20, N = 40).
  // Midranks: 1 → 5.5 (ranks 1–10), 2 → 18.5 (11–26), 3 → 33.5 (27–40).
  // R_a = 8·5.5 + 8·18.5 + 4·33.5 = 326; U = 326 − 20·21/2 = 116; E[U] = 200.
  // Σ(t³ − t) = 990 + 4080 + 2730 = 7800; Var = 20·20/12 · (41 − 7800/(40·39)) = 1200.
  // z = (116 − 200 + 0.5)/√1200 = −2.41043; p = 2Φ(−2.41043) = 0.015933
  const a = [...Array(8).fill(1), ...Array(8).fill(2), ...Array(4).fill(3)] as number[]
  const b = [...Array(2).fill(1), ...Array(8).fill(2), ...Array(10).fill(3)] as number[]
  const r = mannWhitneyU(a, b)
  assert.equal(r.exact, false)
  assert.equal(r.u, 116)
  close(r.p, 0.015933, 2e-6)
})

test("Mann–Whitney matches R's wilcox.test(extra ~ group, data = sleep)", () => {
  // R: W = 25.5, p-value = 0.06933 (with the warning "cannot compute exact p-value with ties")
  const r = mannWhitneyU(sleep1, sleep2)
  assert.equal(r.u, 25.5)
  assert.equal(r.exact, false)
  close(r.p, 0.06933, 5e-6)
})

test('Mann–Whitney: all values tied gives p = 1; empty input throws', () => {
  const r = mannWhitneyU([3, 3, 3], [3, 3])
  assert.equal(r.u, 3)
  assert.equal(r.p, 1)
  assert.throws(() => mannWhitneyU([], [1]), RangeError)
})
