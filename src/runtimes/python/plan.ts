import type { RunOutcome } from '../../measure/measure-run.js'
import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { prepareOptions } from '../../executors/defaults.js'
import { ExecutorError } from '../../executors/errors.js'
import { PARENT_ENV } from '../../executors/leftovers.js'
import { EXECUTOR_KINDS, type ExecutorKind } from '../../executors/types.js'
import { resolveParams } from '../../workloads/index.js'
import { PYTHON_WORKLOADS, type HarnessPlan, type HelloLine, type PoolLine } from './protocol.js'

/** The repository's python/ directory: three levels up from src/runtimes/python (tsx) and from dist/runtimes/python (build). */
export const PYTHON_DIR = fileURLToPath(new URL('../../../python/', import.meta.url))
/** -S: the harness needs the standard library only, and skipping site-packages saves every pool child ~35 ms. */
export const HARNESS_ARGS = ['-S', '-m', 'corebench_harness'] as const

/** One fork of a Python cell: a fresh harness process, its pool, `warmup` warm-up runs and one measured run. */
export interface PythonForkPlan {
  workload: string
  /** As returned by `resolveParams` (it is checked again here). */
  params: Record<string, unknown>
  tasks: number
  executor: ExecutorKind
  /** Threads or processes of the pool; ignored by `serialized` and `async`. */
  workers: number
  warmup: number
  /** Interpreter to run, e.g. a discovered interpreter's `command`; default `python3`. */
  command?: string
  tmpDir?: string
  /** multiprocessing start method of the `process` pool; the harness defaults to `spawn`. */
  startMethod?: HarnessPlan['startMethod']
  /** A package workload's Python twin (HarnessPlan.module); without it the workload must be a built-in one. */
  module?: string
}

export interface PythonForkControl {
  /** Aborting kills the harness's whole process group and ends the outcomes with COREBENCH_ERR_CANCELLED. */
  signal?: AbortSignal
  /** A task running longer than this kills the process group and fails the run. */
  taskTimeoutMs: number
  /** Bounds the interpreter's start (until its hello) and, in the harness, the pool's start; default 60 000 ms. */
  startupTimeoutMs?: number
  /** When run `run` (0-based; warm-ups first) starts on the pool: after the pool line, then after each run line. */
  onRunStart?: (run: number, warmup: boolean) => void
  /** Tasks done so far in the current run, whenever that number grows (from the ~10 Hz progress lines, so it can skip). */
  onTaskDone?: (done: number, total: number, warmup: boolean) => void
  /** A successful run as soon as its line arrives (failures end the fork and come in the result). */
  onRunEnd?: (run: number, outcome: RunOutcome) => void
  onSpawn?: (pid: number) => void
  onHello?: (hello: HelloLine) => void
  onPool?: (pool: PoolLine) => void
}

/**
 * The environment the harness runs in: our package first on the path, no __pycache__ written into
 * the repository, and this process named as its owner (see executors/leftovers.ts).
 */
export function harnessEnv (): NodeJS.ProcessEnv {
  return { ...process.env, PYTHONPATH: [PYTHON_DIR, process.env.PYTHONPATH].filter(Boolean).join(delimiter), PYTHONDONTWRITEBYTECODE: '1', [PARENT_ENV]: String(process.pid) }
}

/** Why the harness cannot run from this installation (e.g. a build that shipped dist/ without python/), if it cannot. */
export function harnessMissing (): string | undefined {
  return existsSync(join(PYTHON_DIR, 'corebench_harness', '__main__.py')) ? undefined : `the python harness is missing: no corebench_harness package in ${PYTHON_DIR}`
}

/** A plan Node must not hand to the harness, as the failure to report; else the prepared tmpDir. */
export function checkPlan (plan: PythonForkPlan, control: PythonForkControl): ExecutorError | { tmpDir: string } {
  const misuse = (message: string): ExecutorError => new ExecutorError('COREBENCH_ERR_EXECUTOR_STATE', message)
  if (plan.module === undefined && !(PYTHON_WORKLOADS as readonly string[]).includes(plan.workload)) return misuse(`the python runtime does not implement workload ${plan.workload}; it has ${PYTHON_WORKLOADS.join(', ')}`)
  const resolved = resolveParams(plan.workload, plan.params)
  if (!resolved.ok) return misuse(resolved.errors.map(e => e.message).join('; '))
  if (!EXECUTOR_KINDS.includes(plan.executor)) return misuse(`unknown executor ${String(plan.executor)}`)
  for (const [name, value, min] of [['tasks', plan.tasks, 1], ['workers', plan.workers, 1], ['warmup', plan.warmup, 0], ['taskTimeoutMs', control.taskTimeoutMs, 1]] as const) {
    if (!Number.isInteger(value) || value < min) return misuse(`${name} must be an integer >= ${min}, got ${value}`)
  }
  const missing = harnessMissing()
  if (missing !== undefined) return new ExecutorError('COREBENCH_ERR_RUNTIME_UNAVAILABLE', missing)
  try {
    return { tmpDir: prepareOptions({ tmpDir: plan.tmpDir }).tmpDir }
  } catch (err) {
    return misuse(`tmpDir cannot be used: ${(err as Error).message}`)
  }
}
