// Scaling models across a job's worker sweep (DESIGN.md §7): Karp–Flatt serial fraction,
// Amdahl fit with its ceiling, Gunther's Universal Scalability Law, and a pool-size pick.
import { median } from 'simple-statistics'
import type { UslFit as UslResult } from '../schemas/summary.js'

/**
 * Karp–Flatt experimentally determined serial fraction e = (1/S − 1/p) / (1 − 1/p)
 * (Karp & Flatt, "Measuring parallel processor performance", CACM 33(5), 1990).
 * A growing e as p grows points at parallel overhead rather than inherent serial work.
 * null for p ≤ 1 (0/0) or a non-positive / non-finite speedup.
 */
export function karpFlatt (speedup: number, workers: number): number | null {
  if (!(workers > 1) || !(speedup > 0) || !Number.isFinite(speedup) || !Number.isFinite(workers)) return null
  return (1 / speedup - 1 / workers) / (1 - 1 / workers)
}

/** Coefficient of determination 1 − SS_res/SS_tot; 1 for an exact fit of constant data, 0 otherwise. */
function rSquared (observed: readonly number[], predicted: readonly number[]): number {
  const avg = observed.reduce((s, v) => s + v, 0) / observed.length
  let ssRes = 0
  let ssTot = 0
  observed.forEach((y, i) => {
    ssRes += (y - predicted[i]) ** 2
    ssTot += (y - avg) ** 2
  })
  if (ssTot === 0) return ssRes <= 1e-24 ? 1 : 0
  return 1 - ssRes / ssTot
}

/**
 * Least-squares fit of Amdahl's law S(p) = 1 / (f + (1 − f)/p) (Amdahl 1967). Linearized as
 * 1/S − 1/p = f·(1 − 1/p), a line through the origin, so f = Σxy / Σx² with x = 1 − 1/p,
 * y = 1/S − 1/p (this weighs points in 1/S space, i.e. it is the least-squares Karp–Flatt e).
 * f is clamped to [0, 1]; ceiling = 1/f (Infinity when f = 0). r2 is of S itself.
 * Needs at least one point with p > 1 (one point determines f, which then equals its Karp–Flatt e;
 * r2 is then trivially 1). p = 1 points carry no information about f but count in r2.
 */
export function amdahlFit (points: ReadonlyArray<{ workers: number, speedup: number }>): { serialFraction: number, ceiling: number, r2: number } | null {
  const valid = points.filter(p => p.workers >= 1 && Number.isFinite(p.workers) && p.speedup > 0 && Number.isFinite(p.speedup))
  let sxy = 0
  let sxx = 0
  for (const { workers, speedup } of valid) {
    if (workers <= 1) continue
    const x = 1 - 1 / workers
    sxy += x * (1 / speedup - 1 / workers)
    sxx += x * x
  }
  if (sxx === 0) return null
  const f = Math.min(1, Math.max(0, sxy / sxx))
  const predict = (p: number): number => 1 / (f + (1 - f) / p)
  return {
    serialFraction: f,
    ceiling: f === 0 ? Infinity : 1 / f,
    r2: rSquared(valid.map(p => p.speedup), valid.map(p => predict(p.workers)))
  }
}

export type { UslResult }

/** X(N) = λN / (1 + σ(N − 1) + κN(N − 1)) */
export function uslThroughput (n: number, sigma: number, kappa: number, lambda: number): number {
  return lambda * n / (1 + sigma * (n - 1) + kappa * n * (n - 1))
}

/**
 * Universal Scalability Law fit (Gunther, Guerrilla Capacity Planning, 2007, ch. 4–5):
 * σ = contention, κ = coherency (crosstalk), λ = single-worker throughput.
 * λ: mean throughput at N = 1 when measured; otherwise the intercept of the linear regression of
 * N/X(N) = 1/λ + (σ/λ)(N − 1) + (κ/λ)N(N − 1) (fallback: max X(N)/N, a lower bound of λ).
 * Then, with C(N) = X(N)/λ, Gunther's quadratic method: least squares through the origin of
 * N/C(N) − 1 = σ(N − 1) + κN(N − 1), constrained σ, κ ≥ 0 (two-variable NNLS: if the free solution
 * has a negative coefficient, the better of the two one-variable fits with the other fixed at 0).
 * Peak at N* = √((1 − σ)/κ) (≥ 1); none when κ = 0 (throughput then rises to the asymptote λ/σ).
 * r2 is of the throughput X(N), not of the linearized form.
 */
export function uslFit (points: ReadonlyArray<{ workers: number, throughput: number }>): UslResult {
  const pts = points.filter(p => p.workers >= 1 && Number.isFinite(p.workers) && p.throughput > 0 && Number.isFinite(p.throughput))
  const distinct = new Set(pts.map(p => p.workers)).size
  if (distinct < 3) return { ok: false, reason: `needs at least 3 worker counts, got ${distinct}` }

  const ones = pts.filter(p => p.workers === 1)
  const lambda = ones.length > 0 ? ones.reduce((s, p) => s + p.throughput, 0) / ones.length : estimateLambda(pts)

  // y = N/C(N) − 1, x1 = N − 1, x2 = N(N − 1); normal equations of the no-intercept regression.
  const sums = { s11: 0, s12: 0, s22: 0, s1y: 0, s2y: 0 }
  for (const { workers: n, throughput } of pts) {
    const y = n * lambda / throughput - 1
    const x1 = n - 1
    const x2 = n * (n - 1)
    sums.s11 += x1 * x1
    sums.s12 += x1 * x2
    sums.s22 += x2 * x2
    sums.s1y += x1 * y
    sums.s2y += x2 * y
  }
  const { s11, s12, s22, s1y, s2y } = sums
  const sse = (s: number, k: number): number => pts.reduce((acc, { workers: n, throughput }) =>
    acc + (n * lambda / throughput - 1 - s * (n - 1) - k * n * (n - 1)) ** 2, 0)
  const det = s11 * s22 - s12 * s12
  let sigma = det !== 0 ? (s1y * s22 - s2y * s12) / det : -1
  let kappa = det !== 0 ? (s2y * s11 - s1y * s12) / det : -1
  if (!(sigma >= 0 && kappa >= 0)) {
    const onlyKappa = { s: 0, k: Math.max(0, s2y / s22) }
    const onlySigma = { s: Math.max(0, s1y / s11), k: 0 }
    const best = sse(onlyKappa.s, onlyKappa.k) <= sse(onlySigma.s, onlySigma.k) ? onlyKappa : onlySigma
    sigma = best.s
    kappa = best.k
  }

  const peakWorkers = kappa > 0 ? Math.max(1, Math.sqrt(Math.max(0, 1 - sigma) / kappa)) : null
  return {
    ok: true,
    sigma,
    kappa,
    lambda,
    peakWorkers,
    peakThroughput: peakWorkers === null ? null : uslThroughput(peakWorkers, sigma, kappa, lambda),
    r2: rSquared(pts.map(p => p.throughput), pts.map(p => uslThroughput(p.workers, sigma, kappa, lambda)))
  }
}

/** λ without an N = 1 measurement: 1/intercept of N/X on (1, N − 1, N(N − 1)) by ordinary least squares. */
function estimateLambda (pts: ReadonlyArray<{ workers: number, throughput: number }>): number {
  const rows = pts.map(({ workers: n, throughput }) => ({ x: [1, n - 1, n * (n - 1)], y: n / throughput }))
  const ata = [[0, 0, 0], [0, 0, 0], [0, 0, 0]]
  const aty = [0, 0, 0]
  for (const { x, y } of rows) {
    for (let i = 0; i < 3; i++) {
      aty[i] += x[i] * y
      for (let j = 0; j < 3; j++) ata[i][j] += x[i] * x[j]
    }
  }
  const intercept = solve3(ata, aty)?.[0]
  const fallback = Math.max(...pts.map(p => p.throughput / p.workers))
  return intercept !== undefined && intercept > 0 ? Math.max(1 / intercept, fallback) : fallback
}

/** Cramer's rule for a 3×3 system; undefined when singular. */
function solve3 (m: number[][], v: number[]): number[] | undefined {
  const det3 = (a: number[][]): number =>
    a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
  const d = det3(m)
  if (d === 0 || !Number.isFinite(d)) return undefined
  return [0, 1, 2].map(col => det3(m.map((row, r) => row.map((x, c) => c === col ? v[r] : x))) / d)
}

/**
 * Smallest worker count whose throughput is within `tolerance` (fraction) of the best:
 * beyond it, extra workers buy < tolerance more throughput. Repeated worker counts are reduced
 * to their median throughput first. null without any positive, finite throughput.
 */
export function recommendPoolSize (points: ReadonlyArray<{ workers: number, throughput: number }>, tolerance = 0.05): number | null {
  if (!(tolerance >= 0 && tolerance < 1)) throw new RangeError(`tolerance must be in [0, 1): ${tolerance}`)
  const byWorkers = new Map<number, number[]>()
  for (const p of points) {
    if (!(p.throughput > 0) || !Number.isFinite(p.throughput) || !(p.workers >= 1)) continue
    byWorkers.set(p.workers, [...(byWorkers.get(p.workers) ?? []), p.throughput])
  }
  if (byWorkers.size === 0) return null
  const agg = [...byWorkers].map(([workers, xs]) => ({ workers, throughput: median(xs) })).sort((a, b) => a.workers - b.workers)
  const best = Math.max(...agg.map(p => p.throughput))
  return agg.find(p => p.throughput >= (1 - tolerance) * best)?.workers ?? null
}
