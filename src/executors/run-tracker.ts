import { cancelledError, ExecutorError, timeoutError } from './errors.js'
import { now, type ResultMessage } from './protocol.js'
import type { ExecutorRunResult, RunControl, RunPlan, TaskTimes } from './types.js'

export interface TimedOut { index: number, how: string }

/**
 * The bookkeeping every executor shares for one run: timestamps and checksums per task, progress,
 * the timeout watchdog, cancellation, and settling exactly once. The executor dispatches and feeds
 * results in; `onFail` is where it kills whatever is still running.
 */
export class RunTracker {
  readonly times: TaskTimes
  readonly checksums: string[]
  readonly finished: Uint8Array
  done = 0
  firstDispatchAt = 0
  lastReceivedAt = 0
  bytesFromWorkers = 0
  readonly promise: Promise<void>
  private settled = false
  private resolve!: () => void
  private reject!: (err: ExecutorError) => void
  private readonly watchdog: NodeJS.Timeout
  private readonly onAbort: () => void

  constructor (
    readonly plan: RunPlan,
    private readonly control: RunControl,
    /** Returns a task that has run past the limit, if any. Called a few times per timeout period. */
    findTimedOut: (tracker: RunTracker, at: number, limitMs: number) => TimedOut | undefined,
    private readonly onFail: (err: ExecutorError) => void
  ) {
    const n = plan.tasks
    this.times = { dispatchedAt: new Float64Array(n), startedAt: new Float64Array(n), endedAt: new Float64Array(n), receivedAt: new Float64Array(n), runMs: new Float64Array(n) }
    this.checksums = new Array<string>(n)
    this.finished = new Uint8Array(n)
    this.promise = new Promise<void>((resolve, reject) => { this.resolve = resolve; this.reject = reject })
    // Avoid an unhandled rejection if the executor fails before it awaits the promise.
    this.promise.catch(() => {})
    const limit = control.taskTimeoutMs
    this.watchdog = setInterval(() => {
      const late = findTimedOut(this, now(), limit)
      if (late !== undefined) this.fail(timeoutError(late.index, limit, late.how))
    }, Math.min(Math.max(limit / 10, 5), 250))
    this.onAbort = () => { this.fail(cancelledError()) }
    control.signal?.addEventListener('abort', this.onAbort, { once: true })
    if (control.signal?.aborted === true) queueMicrotask(this.onAbort)
  }

  dispatched (index: number): void {
    const t = now()
    if (this.firstDispatchAt === 0) this.firstDispatchAt = t
    this.times.dispatchedAt[index] = t
  }

  /** Dispatch stamp for a batch sent at once (single-thread executors). */
  dispatchedAll (at: number): void {
    this.firstDispatchAt = at
    this.times.dispatchedAt.fill(at)
  }

  /** Records one result; a task error fails the run. */
  result (msg: ResultMessage, bytes: number): void {
    if (this.settled) return
    const i = msg.index
    const t = now()
    this.times.startedAt[i] = msg.startedAt
    this.times.endedAt[i] = msg.endedAt
    this.times.runMs[i] = msg.runMs
    this.times.receivedAt[i] = t
    this.lastReceivedAt = t
    this.bytesFromWorkers += bytes
    if (msg.error !== undefined) {
      const e = msg.error
      this.fail(new ExecutorError('COREBENCH_ERR_TASK_FAILED', `task ${i} (${this.plan.workload}) threw ${e.name}: ${e.message}`, i))
      return
    }
    this.checksums[i] = msg.checksum as string
    this.finished[i] = 1
    this.done++
    this.control.onTaskDone?.(this.done, this.plan.tasks)
    if (this.done === this.plan.tasks) {
      this.settle()
      this.resolve()
    }
  }

  fail (err: ExecutorError): void {
    if (this.settled) return
    this.settle()
    this.onFail(err)
    this.reject(err)
  }

  /** The successful run's result; the executor adds what only it knows. */
  outcome (own: Pick<ExecutorRunResult, 'bytesToWorkers' | 'shared' | 'taskCpuMs'> & Partial<Pick<ExecutorRunResult, 'childCpuUserUs' | 'childCpuSystemUs' | 'childPeakRssBytes'>>): ExecutorRunResult {
    return {
      checksums: this.checksums,
      times: this.times,
      startedAt: this.firstDispatchAt,
      endedAt: this.lastReceivedAt,
      childCpuUserUs: 0,
      childCpuSystemUs: 0,
      childPeakRssBytes: 0,
      bytesFromWorkers: this.bytesFromWorkers,
      ...own
    }
  }

  get isSettled (): boolean {
    return this.settled
  }

  private settle (): void {
    this.settled = true
    clearInterval(this.watchdog)
    this.control.signal?.removeEventListener('abort', this.onAbort)
  }
}

/**
 * Timeout check for thread executors: workers stamp each task's start into shared memory, so the
 * coordinator sees a runaway task without any message from the (blocked) thread.
 */
export function stampWatch (stamps: Float64Array, how: string) {
  let cursor = 0
  return (t: RunTracker, at: number, limit: number): TimedOut | undefined => {
    while (cursor < t.plan.tasks && t.finished[cursor] === 1) cursor++
    for (let i = cursor; i < t.plan.tasks; i++) {
      const started = stamps[i] as number
      if (started > 0 && t.finished[i] === 0 && at - started > limit) return { index: i, how }
    }
    return undefined
  }
}
