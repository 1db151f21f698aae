import { createHash } from 'node:crypto'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { ExecutorError } from '../executors/errors.js'
import type { Executor, ExecutorRunResult, RunControl, RunPlan } from '../executors/types.js'
import { getWorkload } from '../workloads/index.js'

export interface SharedCounterResult {
  expected: number
  arrived: number
  lost: number
  /** 1 when every task shared one memory (threads), the number of children for `process`. */
  memorySpaces: number
}

export interface RunMetrics {
  ok: true
  tasks: number
  wallMs: number
  startupMs: number
  coldWallMs: number
  cpuUserMs: number
  cpuSystemMs: number
  /** Average busy cores: (user + system CPU) / wall. */
  parallelism: number
  peakRssBytes: number
  loopDelayP50Ms: number
  loopDelayP99Ms: number
  loopDelayMaxMs: number
  bytesToWorkers: number
  bytesFromWorkers: number
  serialization: string
  checksum: string
  startedAt: Date
  finishedAt: Date
  /** Per task in index order: queueMs, runMs, returnMs. */
  timings: Float32Array
  shared?: SharedCounterResult
}

export interface RunFailure {
  ok: false
  tasks: number
  code: string
  error: string
  task?: number
  startupMs: number
  startedAt: Date
  finishedAt: Date
}

export type RunOutcome = RunMetrics | RunFailure

const RSS_SAMPLE_MS = 20

/**
 * Times one run of an already started executor and gathers everything DESIGN.md §2 asks for. CPU is
 * this process's `cpuUsage()` delta (every thread of it, worker threads included) plus what each
 * child reports for itself; the event-loop delay is the calling thread's. Never throws for a failed
 * run: failures are data.
 */
export async function measureRun (executor: Executor, plan: RunPlan, control: RunControl): Promise<RunOutcome> {
  const loop = monitorEventLoopDelay({ resolution: 5 })
  let peakRss = process.memoryUsage.rss()
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage.rss()) }, RSS_SAMPLE_MS)
  const startedAt = new Date()
  const cpu0 = process.cpuUsage()
  loop.enable()
  let result: ExecutorRunResult
  try {
    result = await executor.run(plan, control)
  } catch (err) {
    const e = err instanceof ExecutorError ? err : new ExecutorError('COREBENCH_ERR_WORKER_EXITED', (err as Error).message, undefined, { cause: err })
    return { ok: false, tasks: plan.tasks, code: e.code, error: e.message, task: e.task, startupMs: executor.startupMs, startedAt, finishedAt: new Date() }
  } finally {
    loop.disable()
    clearInterval(sampler)
  }
  const cpu = process.cpuUsage(cpu0)
  peakRss = Math.max(peakRss, process.memoryUsage.rss())
  const wallMs = result.endedAt - result.startedAt
  const cpuUserMs = (cpu.user + result.childCpuUserUs) / 1000
  const cpuSystemMs = (cpu.system + result.childCpuSystemUs) / 1000
  const ns = (v: number): number => Number.isFinite(v) ? v / 1e6 : 0
  return {
    ok: true,
    tasks: plan.tasks,
    wallMs,
    startupMs: executor.startupMs,
    coldWallMs: executor.startupMs + wallMs,
    cpuUserMs,
    cpuSystemMs,
    parallelism: wallMs > 0 ? (cpuUserMs + cpuSystemMs) / wallMs : 0,
    peakRssBytes: peakRss + result.childPeakRssBytes,
    loopDelayP50Ms: ns(loop.percentile(50)),
    loopDelayP99Ms: ns(loop.percentile(99)),
    loopDelayMaxMs: ns(loop.max),
    bytesToWorkers: result.bytesToWorkers,
    bytesFromWorkers: result.bytesFromWorkers,
    serialization: executor.serialization,
    checksum: runChecksum(result.checksums),
    startedAt,
    finishedAt: new Date(),
    timings: packTimings(result),
    shared: sharedResult(plan, result)
  }
}

/** One checksum for the run: order-sensitive over the tasks' checksums. */
export function runChecksum (checksums: string[]): string {
  return createHash('sha256').update(checksums.join('\n')).digest('hex').slice(0, 16)
}

export function packTimings (r: ExecutorRunResult): Float32Array {
  const { dispatchedAt, startedAt, endedAt, receivedAt } = r.times
  const out = new Float32Array(dispatchedAt.length * 3)
  for (let i = 0; i < dispatchedAt.length; i++) {
    // Stamps come from different threads' clocks; a few µs of skew can make a gap slightly negative.
    out[i * 3] = Math.max(0, (startedAt[i] as number) - (dispatchedAt[i] as number))
    out[i * 3 + 1] = (endedAt[i] as number) - (startedAt[i] as number)
    out[i * 3 + 2] = Math.max(0, (receivedAt[i] as number) - (endedAt[i] as number))
  }
  return out
}

function sharedResult (plan: RunPlan, r: ExecutorRunResult): SharedCounterResult | undefined {
  if (getWorkload(plan.workload)?.sharedMemory !== true || r.shared === undefined) return undefined
  let expected = 0
  for (const c of r.checksums) expected += Number(c)
  // The counter is an Int32: job submission keeps tasks × n below 2^31 so it cannot wrap.
  const arrived = r.shared.arrived
  return { expected, arrived, lost: expected - arrived, memorySpaces: r.shared.memorySpaces }
}
