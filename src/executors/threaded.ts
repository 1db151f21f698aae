import { Piscina } from 'piscina'
import { threadEntry } from './entry.js'
import { prepareOptions, type PreparedOptions } from './defaults.js'
import { createScratch, removeScratch } from './scratch.js'
import { ExecutorError } from './errors.js'
import { cpuDeltaMs, settledThreadsCpuNs, threadsCpuNs } from './thread-cpu.js'
import type { BarrierDone, BarrierTask } from './entries/piscina.js'
import { jsonBytes, now, resultBytes, taskMessage, type ResultMessage } from './protocol.js'
import { RunTracker } from './run-tracker.js'
import { ThreadMemory } from './thread-memory.js'
import type { Executor, ExecutorOptions, ExecutorRunResult, RunControl, RunPlan } from './types.js'

/**
 * A piscina pool of exactly `workers` threads, created and warmed before timing and kept for the
 * whole cell. piscina's defaults suit a service, not a benchmark (maxThreads 1.5 × cores, threads
 * that come and go), so both bounds are pinned to `workers` and idle threads never retire.
 */
export class ThreadedExecutor implements Executor {
  readonly kind = 'threaded' as const
  readonly serialization = 'structured-clone'
  startupMs = 0
  private pool: Piscina | undefined
  /**
   * The barrier counts (entries/piscina.ts: arrivals, canary turns), shared with the pool's threads;
   * one buffer for every pool this executor builds, since each barrier starts them from 0.
   */
  private readonly barrierCount = new Int32Array(new SharedArrayBuffer(8))
  /** Each pool thread's /proc directory (from the warm-up barrier), to read their CPU around each run. */
  private threads: Array<string | undefined> = []
  /** The pool's scratch directory (its tasks' tmpDir), removed once its threads are gone. */
  private scratch: string | undefined
  private tracker: RunTracker | undefined
  private closed = false
  private readonly opts: PreparedOptions
  private readonly memory: ThreadMemory

  constructor (readonly workers: number, opts: ExecutorOptions = {}) {
    if (!Number.isInteger(workers) || workers < 1) throw new ExecutorError('COREBENCH_ERR_EXECUTOR_STATE', `workers must be a positive integer, got ${workers}`)
    this.opts = prepareOptions(opts)
    this.memory = new ThreadMemory(this.opts.maxTasks)
  }

  async start (): Promise<void> {
    if (this.closed) throw new ExecutorError('COREBENCH_ERR_EXECUTOR_STATE', 'threaded executor is closed')
    const t0 = now()
    const { filename, entry } = threadEntry('piscina')
    const scratch = createScratch(this.opts.tmpDir)
    const pool = new Piscina({
      filename,
      minThreads: this.workers,
      maxThreads: this.workers,
      idleTimeout: 2 ** 31 - 1,
      concurrentTasksPerWorker: 1,
      resourceLimits: { maxOldGenerationSizeMb: this.opts.maxOldGenerationSizeMb },
      workerData: { entry, tmpDir: scratch, ...this.memory.workerData, barrier: this.barrierCount.buffer, workload: this.opts.workload, workloadModule: this.opts.workloadModule }
    })
    // piscina re-emits a worker's death (e.g. ERR_WORKER_OUT_OF_MEMORY) on the pool when no task
    // takes the blame; unhandled, that 'error' event would crash the whole process.
    pool.on('error', (err: Error) => {
      this.tracker?.fail(new ExecutorError('COREBENCH_ERR_WORKER_EXITED', `worker thread failed: ${err.message}`, undefined, { cause: err }))
    })
    let threads: Array<string | undefined>
    try {
      threads = (await this.barrier(pool, false)).map(d => d.thread)
    } catch (err) {
      await pool.destroy()
      removeScratch(scratch)
      throw new ExecutorError('COREBENCH_ERR_WORKER_EXITED', `threaded pool failed to start: ${(err as Error).message}`, undefined, { cause: err })
    }
    this.pool = pool
    // The pool never adds or retires threads (min = max, no idle timeout) and is rebuilt whole on
    // any failure, so these stay the pool's threads for its life.
    this.threads = threads
    this.scratch = scratch
    this.startupMs = now() - t0
  }

  async run (plan: RunPlan, control: RunControl): Promise<ExecutorRunResult> {
    if (this.closed || this.tracker !== undefined) throw new ExecutorError('COREBENCH_ERR_EXECUTOR_STATE', `threaded executor is ${this.closed ? 'closed' : 'busy'}`)
    if (plan.tasks > this.opts.maxTasks) throw new ExecutorError('COREBENCH_ERR_EXECUTOR_STATE', `tasks ${plan.tasks} is above this executor's maxTasks ${this.opts.maxTasks}`)
    if (this.pool === undefined) await this.start()
    const pool = this.pool as Piscina
    this.memory.reset(plan.tasks)
    // On failure the whole pool is destroyed rather than each task aborted: piscina's abort of a
    // running task races with that task's result and then throws "Unexpected message from Worker"
    // as an uncaught exception, which would take the caller (the API server) down.
    let destroying: Promise<void> | undefined
    const tracker = new RunTracker(plan, control, this.memory.watch(), () => {
      destroying = pool.destroy()
    })
    this.tracker = tracker
    const threads = this.threads
    const cpu0 = threadsCpuNs(threads)
    for (let i = 0; i < plan.tasks; i++) {
      tracker.dispatched(i)
      pool.run(taskMessage(i, plan)).then(
        (r: ResultMessage) => { tracker.result(r, resultBytes(r)) },
        (err: Error) => {
          tracker.fail(new ExecutorError('COREBENCH_ERR_WORKER_EXITED', `task ${i}: worker thread failed: ${err.message}`, i, { cause: err }))
        }
      )
    }
    try {
      await tracker.promise
    } catch (err) {
      this.tracker = undefined
      await destroying
      this.dropScratch()
      this.pool = undefined
      if (!this.closed) await this.start()
      throw err
    }
    const taskCpuMs = cpuDeltaMs(cpu0, await settledThreadsCpuNs(threads))
    this.tracker = undefined
    return tracker.outcome({ bytesToWorkers: jsonBytes(taskMessage(0, plan)) * plan.tasks, shared: this.memory.arrived(), taskCpuMs })
  }

  async canary (): Promise<number[]> {
    if (this.closed || this.tracker !== undefined) throw new ExecutorError('COREBENCH_ERR_EXECUTOR_STATE', `threaded executor is ${this.closed ? 'closed' : 'busy'}`)
    if (this.pool === undefined) await this.start()
    const pool = this.pool as Piscina
    try {
      return (await this.barrier(pool, true)).map(d => d.canaryMs ?? NaN).filter(Number.isFinite)
    } catch (err) {
      // The pool goes whole, as after a failed run: its other threads may still wait at the barrier.
      await pool.destroy()
      if (this.pool === pool) {
        this.pool = undefined
        this.dropScratch()
      }
      throw new ExecutorError('COREBENCH_ERR_WORKER_EXITED', `worker thread failed while it timed the canary: ${(err as Error).message}`, undefined, { cause: err })
    }
  }

  /**
   * One barrier task per thread, so that each thread of the pool holds exactly one; with `canary`
   * each then times the canary in turn. The counts restart from 0: every thread has left the
   * previous barrier, since all of its tasks have answered.
   */
  private async barrier (pool: Piscina, canary: boolean): Promise<BarrierDone[]> {
    Atomics.store(this.barrierCount, 0, 0)
    Atomics.store(this.barrierCount, 1, 0)
    return await Promise.all(Array.from({ length: this.workers }, async () => await pool.run({ type: 'barrier', parties: this.workers, canary } satisfies BarrierTask)))
  }

  async close (): Promise<void> {
    this.closed = true
    await this.pool?.close()
    await this.pool?.destroy()
    this.pool = undefined
    this.dropScratch()
  }

  async destroy (): Promise<void> {
    this.closed = true
    this.tracker?.fail(new ExecutorError('COREBENCH_ERR_CANCELLED', 'the executor was destroyed'))
    await this.pool?.destroy()
    this.pool = undefined
    this.dropScratch()
  }

  private dropScratch (): void {
    removeScratch(this.scratch)
    this.scratch = undefined
  }
}
