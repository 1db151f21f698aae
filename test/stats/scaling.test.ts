import assert from 'node:assert/strict'
import { test } from 'node:test'
import { mulberry32 } from '../../src/stats/bootstrap.js'
import { amdahlFit, karpFlatt, recommendPoolSize, uslFit, uslThroughput } from '../../src/stats/scaling.js'

const close = (actual: number, expected: number, tol: number, what = ''): void => {
  assert.ok(Math.abs(actual - expected) <= tol, `${what} expected ${expected} ± ${tol}, got ${actual}`)
}
const amdahl = (f: number, p: number): number => 1 / (f + (1 - f) / p)
const SWEEP = [1, 2, 4, 8, 16, 32]

test('Karp–Flatt: e = (1/S − 1/p)/(1 − 1/p)', () => {
  // S = 1.8, p = 2: (0.5556 − 0.5)/0.5 = 1/9
  close(karpFlatt(1.8, 2) as number, 1 / 9, 1e-15)
  // perfect scaling → 0; no speedup → 1; Amdahl data with f = 0.2 → 0.2 at any p
  close(karpFlatt(8, 8) as number, 0, 1e-15)
  close(karpFlatt(1, 16) as number, 1, 1e-15)
  close(karpFlatt(amdahl(0.2, 12), 12) as number, 0.2, 1e-12)
  assert.equal(karpFlatt(1, 1), null)
  assert.equal(karpFlatt(0, 4), null)
})

test('Amdahl fit recovers f = 0.1 from exact speedups', () => {
  const fit = amdahlFit(SWEEP.map(p => ({ workers: p, speedup: amdahl(0.1, p) })))
  assert.ok(fit !== null)
  close(fit.serialFraction, 0.1, 1e-9, 'f')
  close(fit.ceiling, 10, 1e-7, 'ceiling')
  close(fit.r2, 1, 1e-12, 'r2')
})

test('Amdahl fit: one point equals Karp–Flatt; clamping; needs a point with p > 1', () => {
  const one = amdahlFit([{ workers: 2, speedup: 1.8 }])
  assert.ok(one !== null)
  close(one.serialFraction, 1 / 9, 1e-12)
  close(one.ceiling, 9, 1e-9)
  // superlinear speedups would give f < 0 → clamped to 0, no ceiling
  const superlinear = amdahlFit([{ workers: 2, speedup: 2.2 }, { workers: 4, speedup: 4.5 }])
  assert.deepEqual({ f: superlinear?.serialFraction, c: superlinear?.ceiling }, { f: 0, c: Infinity })
  // slowdowns would give f > 1 → clamped to 1, ceiling 1
  assert.equal(amdahlFit([{ workers: 4, speedup: 0.5 }])?.serialFraction, 1)
  assert.equal(amdahlFit([{ workers: 1, speedup: 1 }]), null)
  assert.equal(amdahlFit([]), null)
  // a poor fit shows in r2: speedup that rises then falls is not Amdahl-shaped
  const bad = amdahlFit([{ workers: 1, speedup: 1 }, { workers: 2, speedup: 1.9 }, { workers: 4, speedup: 3.5 }, { workers: 8, speedup: 2 }, { workers: 16, speedup: 1 }])
  assert.ok(bad !== null && bad.r2 < 0.5, `r2 ${bad?.r2}`)
})

test('USL recovers σ = 0.05, κ = 0.001, λ = 1000 from noise-free data', () => {
  const pts = SWEEP.map(n => ({ workers: n, throughput: uslThroughput(n, 0.05, 0.001, 1000) }))
  // spot-check the model itself: X(2) = 2000 / (1 + 0.05 + 0.002) = 1901.1407
  close(pts[1].throughput, 2000 / 1.052, 1e-9)
  const fit = uslFit(pts)
  assert.ok(fit.ok)
  close(fit.sigma, 0.05, 1e-6, 'σ')
  close(fit.kappa, 0.001, 1e-6, 'κ')
  close(fit.lambda, 1000, 1e-6, 'λ')
  // N* = √((1 − σ)/κ) = √950 = 30.8221
  close(fit.peakWorkers as number, Math.sqrt(950), 1e-4, 'peak N')
  close(fit.peakThroughput as number, uslThroughput(Math.sqrt(950), 0.05, 0.001, 1000), 1e-3, 'peak X')
  close(fit.r2, 1, 1e-12, 'r2')
})

test('USL estimates λ when there is no N = 1 point', () => {
  const fit = uslFit(SWEEP.slice(1).map(n => ({ workers: n, throughput: uslThroughput(n, 0.05, 0.001, 1000) })))
  assert.ok(fit.ok)
  close(fit.lambda, 1000, 1e-6, 'λ')
  close(fit.sigma, 0.05, 1e-6, 'σ')
  close(fit.kappa, 0.001, 1e-6, 'κ')
})

test('USL with ±1 % seeded noise stays close', () => {
  const rand = mulberry32(42)
  const pts = SWEEP.map(n => ({ workers: n, throughput: uslThroughput(n, 0.05, 0.001, 1000) * (1 + 0.01 * (2 * rand() - 1)) }))
  const fit = uslFit(pts)
  assert.ok(fit.ok)
  close(fit.lambda, 1000, 10, 'λ')
  close(fit.sigma, 0.05, 0.005, 'σ')
  close(fit.kappa, 0.001, 0.0001, 'κ')
  close(fit.peakWorkers as number, Math.sqrt(950), 2, 'peak N')
  assert.ok(fit.r2 > 0.999, `r2 ${fit.r2}`)
})

test('USL constrains σ, κ ≥ 0 and needs 3 worker counts', () => {
  // Amdahl-shaped data (κ = 0): pure contention, no peak
  const amd = uslFit(SWEEP.map(n => ({ workers: n, throughput: uslThroughput(n, 0.1, 0, 50) })))
  assert.ok(amd.ok)
  close(amd.sigma, 0.1, 1e-9, 'σ')
  assert.equal(amd.kappa, 0)
  assert.equal(amd.peakWorkers, null)
  assert.equal(amd.peakThroughput, null)
  // superlinear at first (σ = −0.02) then coherency-bound: unconstrained σ < 0 → refit with σ = 0, κ > 0
  const sup = uslFit(SWEEP.map(n => ({ workers: n, throughput: uslThroughput(n, -0.02, 0.001, 100) })))
  assert.ok(sup.ok)
  assert.equal(sup.sigma, 0)
  assert.ok(sup.kappa > 0 && sup.kappa < 0.001, `κ ${sup.kappa}`)
  // purely superlinear data: both coefficients pinned at 0 (linear scaling is the closest USL curve)
  const lin = uslFit([1, 2, 4, 8].map(n => ({ workers: n, throughput: 100 * n * (1 + 0.02 * (n - 1)) })))
  assert.ok(lin.ok)
  assert.deepEqual([lin.sigma, lin.kappa, lin.peakWorkers], [0, 0, null])
  assert.deepEqual(uslFit([{ workers: 1, throughput: 10 }, { workers: 4, throughput: 30 }]), { ok: false, reason: 'needs at least 3 worker counts, got 2' })
  // repeated worker counts do not count twice
  const dup = uslFit([{ workers: 1, throughput: 10 }, { workers: 1, throughput: 11 }, { workers: 2, throughput: 19 }])
  assert.equal(dup.ok, false)
})

test('recommendPoolSize: smallest worker count within tolerance of the best', () => {
  const pts = [
    { workers: 1, throughput: 100 }, { workers: 2, throughput: 190 }, { workers: 4, throughput: 350 },
    { workers: 8, throughput: 400 }, { workers: 16, throughput: 410 }, { workers: 32, throughput: 380 }
  ]
  assert.equal(recommendPoolSize(pts), 8) // 0.95·410 = 389.5 ≤ 400
  assert.equal(recommendPoolSize(pts, 0), 16)
  assert.equal(recommendPoolSize(pts, 0.2), 4) // 0.8·410 = 328 ≤ 350
  assert.equal(recommendPoolSize([...pts].reverse()), 8, 'order does not matter')
  // repeated counts use their median: 8 → median(400, 300, 390) = 390 ≥ 389.5 → still 8;
  // median(400, 300, 380) = 380 < 389.5 → 16
  assert.equal(recommendPoolSize([...pts, { workers: 8, throughput: 300 }, { workers: 8, throughput: 390 }]), 8)
  assert.equal(recommendPoolSize([...pts, { workers: 8, throughput: 300 }, { workers: 8, throughput: 380 }]), 16)
  assert.equal(recommendPoolSize([]), null)
})
