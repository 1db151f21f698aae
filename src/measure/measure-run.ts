import { createHash } from 'node:crypto'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { ExecutorError } from '../executors/errors.js'
import type { Executor, ExecutorRunResult, RunControl, RunPlan, TaskTimes } from '../executors/types.js'
import { getWorkload } from '../workloads/index.js'
import { clockPrecision, clockStepMs, type ClockPrecision } from './clock.js'
import { cpuDeltaMs, threadCpuNs } from '../executors/thread-cpu.js'
import { canaryFigures, startDisturbance, type Disturbance } from './disturbance.js'

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
  /**
   * User and system CPU (ms) of everything the run cost the machine: the whole runner process (every
   * thread: the coordinator, worker threads, V8's GC and compiler helpers, libuv's pool) plus each
   * child process whole (its GC and watchdog threads too).
   */
  cpuUserMs: number
  cpuSystemMs: number
  /**
   * CPU (ms) of the threads that ran tasks, over the run: each worker thread's own, or each child's
   * main thread's (ExecutorRunResult.taskCpuMs). Excludes the coordinator and every helper thread.
   * Null off Linux (no /proc), and for the Python runtime.
   */
  taskCpuMs: number | null
  /** CPU (ms) of the coordinator thread (the one calling measureRun) over the run: dispatch, result handling, whatever else its event loop served. Null off Linux. */
  coordinatorCpuMs: number | null
  /**
   * Average busy cores of the workload: taskCpuMs / wallMs; where taskCpuMs is null (not Linux, Python)
   * the whole-machine figure (cpuUserMs + cpuSystemMs) / wallMs, which also counts the coordinator and
   * helper threads.
   */
  busyCores: number
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
  /** Whether the clock that timed the tasks could resolve them. */
  clock: ClockPrecision
  shared?: SharedCounterResult
  /** What else ran on the host during the run (foreign CPU, steal, involuntary switches, canary); absent where it was not measured. */
  disturbance?: Disturbance
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

/** The process's RSS, or `fallback` when it cannot be read (it opens a /proc file: EMFILE when descriptors run out). */
function rss (fallback: number): number {
  try {
    return process.memoryUsage.rss()
  } catch {
    return fallback
  }
}

/**
 * Times one run of an already started executor and gathers everything DESIGN.md §2 asks for. CPU
 * comes three ways (see RunMetrics): cpuUser/System is this process's `cpuUsage()` delta (every
 * thread of it) plus what each child reports for its whole self; taskCpuMs is the per-thread
 * scheduler time (/proc/<pid>/task/<tid>/schedstat, Linux only) of the threads that ran tasks, as
 * the executor reports it; coordinatorCpuMs is the calling thread's own (/proc/thread-self/schedstat).
 * busyCores is taskCpuMs / wallMs, or the whole-process figure where /proc is unavailable. The
 * event-loop delay is the calling thread's. The canary (Executor.canary) is timed on the task threads
 * before and after, outside every one of those windows; a pool that cannot time it before the run
 * fails the run. Never throws for a failed run: failures are data.
 */
export async function measureRun (executor: Executor, plan: RunPlan, control: RunControl): Promise<RunOutcome> {
  const startedAt = new Date()
  const failed = (err: unknown): RunFailure => {
    const e = err instanceof ExecutorError ? err : new ExecutorError('COREBENCH_ERR_WORKER_EXITED', (err as Error).message, undefined, { cause: err })
    return { ok: false, tasks: plan.tasks, code: e.code, error: e.message, task: e.task, startupMs: executor.startupMs, startedAt, finishedAt: new Date() }
  }
  // Before every window this run opens (CPU, /proc, event loop): the canary is not the run's.
  let canaryBefore: number[]
  try {
    canaryBefore = await executor.canary()
  } catch (err) {
    return failed(err)
  }
  const loop = monitorEventLoopDelay({ resolution: 5 })
  let peakRss = rss(0)
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, rss(peakRss)) }, RSS_SAMPLE_MS)
  // Before everything else this run reads, so that the /proc reads are not in it.
  const probe = startDisturbance()
  const cpu0 = process.cpuUsage()
  const own0 = threadCpuNs()
  loop.enable()
  let result: ExecutorRunResult
  try {
    result = await executor.run(plan, control)
  } catch (err) {
    return failed(err)
  } finally {
    loop.disable()
    clearInterval(sampler)
  }
  const own1 = threadCpuNs()
  const cpu = process.cpuUsage(cpu0)
  const window = probe.finish()
  peakRss = Math.max(peakRss, rss(peakRss))
  // After every window has closed. The run is measured: a thread lost now costs only the readings.
  const canaryAfter = await executor.canary().catch(() => [])
  const disturbance: Disturbance = { ...window, ...canaryFigures(canaryBefore, canaryAfter) }
  const finishedAt = new Date()
  const wallMs = result.endedAt - result.startedAt
  const cpuUserMs = (cpu.user + result.childCpuUserUs) / 1000
  const cpuSystemMs = (cpu.system + result.childCpuSystemUs) / 1000
  const busyMs = result.taskCpuMs ?? cpuUserMs + cpuSystemMs
  const ns = (v: number): number => Number.isFinite(v) ? v / 1e6 : 0
  const timings = packTimings(result.times)
  return {
    ok: true,
    tasks: plan.tasks,
    wallMs,
    startupMs: executor.startupMs,
    coldWallMs: executor.startupMs + wallMs,
    cpuUserMs,
    cpuSystemMs,
    taskCpuMs: result.taskCpuMs,
    coordinatorCpuMs: cpuDeltaMs(own0, own1),
    busyCores: wallMs > 0 ? busyMs / wallMs : 0,
    peakRssBytes: peakRss + result.childPeakRssBytes,
    loopDelayP50Ms: ns(loop.percentile(50)),
    loopDelayP99Ms: ns(loop.percentile(99)),
    loopDelayMaxMs: ns(loop.max),
    bytesToWorkers: result.bytesToWorkers,
    bytesFromWorkers: result.bytesFromWorkers,
    serialization: executor.serialization,
    checksum: await runChecksumSliced(result.checksums),
    startedAt,
    finishedAt,
    timings,
    clock: clockPrecision(timings, clockStepMs()),
    shared: sharedResult(plan, result),
    disturbance
  }
}

/** One checksum for the run: order-sensitive over the tasks' checksums. */
export function runChecksum (checksums: readonly string[]): string {
  return new RunChecksum().add(checksums).digest()
}

/** Tasks hashed per turn of the event loop by runChecksumSliced (~1 ms of work). */
const CHECKSUM_SLICE = 8192

/** runChecksum for any number of tasks without holding the event loop (300 000 tasks take ~50 ms). */
export async function runChecksumSliced (checksums: readonly string[]): Promise<string> {
  const sum = new RunChecksum()
  for (let i = 0; i < checksums.length; i += CHECKSUM_SLICE) {
    if (i > 0) await new Promise(resolve => setImmediate(resolve))
    sum.add(checksums.slice(i, i + CHECKSUM_SLICE))
  }
  return sum.digest()
}

/**
 * runChecksum fed in pieces, in task order: the first 16 hex digits of the SHA-256 of the tasks'
 * checksums joined by '\n'.
 */
export class RunChecksum {
  private readonly hash = createHash('sha256')
  private first = true

  add (checksums: readonly string[]): this {
    if (checksums.length === 0) return this
    this.hash.update(this.first ? checksums.join('\n') : `\n${checksums.join('\n')}`)
    this.first = false
    return this
  }

  digest (): string {
    return this.hash.digest('hex').slice(0, 16)
  }
}

/**
 * Per task (queueMs, runMs, returnMs), written into `out` from task `at` on (so a run that arrives
 * in pieces is packed piece by piece); returns `out`. queueMs and returnMs cross threads, so they
 * are differences of epoch stamps; runMs is the span the task's own thread measured. Float32 keeps
 * 24 bits of each: relative, so a 0.7 µs task keeps ~0.1 ps and a 60 s gap ~4 µs.
 */
export function packTimings (times: { [K in keyof TaskTimes]: ArrayLike<number> }, out: Float32Array = new Float32Array(times.dispatchedAt.length * 3), at = 0): Float32Array {
  const { dispatchedAt, startedAt, endedAt, receivedAt, runMs } = times
  for (let i = 0, o = at * 3; i < dispatchedAt.length; i++, o += 3) {
    // Stamps come from different threads' clocks; a few µs of skew can make a gap slightly negative.
    out[o] = Math.max(0, (startedAt[i] as number) - (dispatchedAt[i] as number))
    out[o + 1] = runMs[i] as number
    out[o + 2] = Math.max(0, (receivedAt[i] as number) - (endedAt[i] as number))
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
