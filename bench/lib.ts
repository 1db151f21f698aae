import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { createExecutor, type Executor, type ExecutorKind, type ExecutorOptions, type RunPlan } from '../src/executors/index.js'
import { measureRun, type RunMetrics } from '../src/measure/measure-run.js'
import { resolveParams } from '../src/workloads/index.js'
import { foreignCores, snapshot } from './load.js'

export const cores = availableParallelism()

/** Long enough never to fire: a benchmark that hangs should be seen, not silently timed out. */
const CONTROL = { taskTimeoutMs: 120_000 }

/** Same heap cap as the executors' default, so raw baselines get identically configured workers. */
export const HEAP_MB = 1024

export interface Settings {
  /** Recorded runs per measurement; one extra unrecorded warm-up run always comes first. */
  reps: number
}

export interface Stat { median: number, min: number, max: number, runs: number[] }

export function stat (runs: number[]): Stat {
  const s = [...runs].sort((a, b) => a - b)
  const mid = s.length >> 1
  const median = s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
  return { median, min: s[0], max: s[s.length - 1], runs }
}

/** A run plan with params resolved exactly as a job would resolve them. */
export function plan (workload: string, params: Record<string, unknown>, tasks: number): RunPlan {
  const r = resolveParams(workload, params)
  if (!r.ok) throw new Error(`bench: bad params for ${workload}: ${r.errors.map(e => e.message).join('; ')}`)
  return { workload, params: r.params, tasks }
}

export async function startExecutor (kind: ExecutorKind, workers: number, opts: ExecutorOptions = {}): Promise<Executor> {
  const ex = createExecutor(kind, workers, opts)
  await ex.start()
  return ex
}

/** One run through the product's own measuring path; a failed run aborts the benchmark. */
export async function measure (ex: Executor, p: RunPlan): Promise<RunMetrics> {
  const m = await measureRun(ex, p, CONTROL)
  if (!m.ok) throw new Error(`bench: ${ex.kind}(${ex.workers}) run failed: ${m.code} ${m.error}`)
  return m
}

export interface Interleaved<T> {
  /** Recorded values per side, in run order. */
  values: T[][]
  /** Per side and recorded run: average cores that other processes used meanwhile (see load.ts). */
  foreign: number[][]
  /** Per side: runs thrown away and redone because another process took CPU during them. */
  redone: number[]
}

/** A run during which other processes kept more than this many cores busy is redone. */
export const BUSY_CORES = 0.15
const MAX_REDO_PER_RUN = 3
/** Redoing stops for the rest of the process once this much time went into it (keeps the bench ~3 min). */
let redoBudgetMs = 20_000

/** With `node --expose-gc` (npm run bench): every run starts on a clean heap, not the last one's garbage. */
const gc = (globalThis as { gc?: () => void }).gc
const collect = gc ?? (() => {})
export const gcBetweenRuns = gc !== undefined

/**
 * Runs every side once unrecorded (JIT and pool warm-up), then `reps` rounds, alternately in order
 * and reversed (A B C, C B A, A B C …): slow drift of a noisy VM (other tenants, thermal) spreads
 * over all sides, and no side always runs right after the same neighbour. A run that another process
 * measurably disturbed is redone a few times (counted in `redone`); if it stays disturbed it is
 * kept, with its load recorded.
 */
export async function interleave<T> (reps: number, sides: Array<() => Promise<T>>): Promise<Interleaved<T>> {
  for (const side of sides) await side()
  const out: Interleaved<T> = { values: sides.map(() => []), foreign: sides.map(() => []), redone: sides.map(() => 0) }
  for (let r = 0; r < reps; r++) {
    const order = sides.map((_, i) => i)
    if (r % 2 === 1) order.reverse()
    for (const i of order) {
      for (let attempt = 0; ; attempt++) {
        collect()
        const before = snapshot()
        const value = await sides[i]()
        const after = snapshot()
        const foreign = round(foreignCores(before, after))
        if (!(foreign > BUSY_CORES) || attempt === MAX_REDO_PER_RUN || redoBudgetMs <= 0) {
          out.values[i].push(value)
          out.foreign[i].push(foreign)
          break
        }
        out.redone[i]++
        redoBudgetMs -= (after?.at ?? 0) - (before?.at ?? 0)
      }
    }
  }
  return out
}

/** Ours against a raw baseline, side by side: what the dispatch and startup suites report per row. */
export interface PairedFigures {
  ours: Stat
  raw: Stat
  /** median(ours) / median(raw). */
  ratio: number
  /** Median of the per-round ratios: each round's pair ran back to back, so drift cancels. */
  pairedRatio: number
  /** Cores other processes kept busy during this pair's recorded runs (both sides), and runs redone because of it. */
  otherCores: Stat
  redone: number
  goal: string
  met: boolean
}

/** The figures of an `interleave` of [ours, raw] (values in any unit, the same on both sides); the goal is ratio ≤ goalRatio. */
export function pairedFigures (runs: Interleaved<number>, goalRatio: number, unit: (v: number) => number = v => v): PairedFigures {
  const [oursRuns, rawRuns] = runs.values
  const ours = stat(oursRuns.map(unit))
  const raw = stat(rawRuns.map(unit))
  const ratio = ours.median / raw.median
  return {
    ours,
    raw,
    ratio: round(ratio, 3),
    pairedRatio: round(stat(oursRuns.map((v, i) => v / rawRuns[i])).median, 3),
    otherCores: stat(runs.foreign.flat()),
    redone: runs.redone[0] + runs.redone[1],
    goal: `≤ ${goalRatio.toFixed(2)}`,
    met: ratio <= goalRatio
  }
}

export function rawPath (name: string): string {
  return fileURLToPath(new URL(`./raw/${name}`, import.meta.url))
}

export const round = (v: number, digits = 2): number => Number(v.toFixed(digits))
