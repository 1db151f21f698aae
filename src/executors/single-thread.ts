import { Worker } from 'node:worker_threads'
import { threadEntry } from './entry.js'
import { ExecutorError } from './errors.js'
import { cpuDeltaMs, settledThreadsCpuNs, threadsCpuNs } from './thread-cpu.js'
import { jsonBytes, now, resultBytes, type BatchMessage, type FromWorker, type ToWorker } from './protocol.js'
import { RunTracker } from './run-tracker.js'
import { ThreadMemory } from './thread-memory.js'
import { ANSWER_MS, prepareOptions, type PreparedOptions } from './defaults.js'
import { createScratch, removeScratch } from './scratch.js'
import type { Executor, ExecutorOptions, ExecutorRunResult, RunControl, RunPlan } from './types.js'

/**
 * One dedicated worker thread that receives a whole run as one batch message and answers once per
 * task. `serialized` runs the batch one task after another, `async` starts every task at once.
 */
export class SingleThreadExecutor implements Executor {
  readonly workers = 1
  readonly serialization = 'structured-clone'
  startupMs = 0
  private worker: Worker | undefined
  /** The worker's /proc directory (from its first answer), to read its CPU around each run. */
  private workerThread: string | undefined
  /** The worker's scratch directory (its tasks' tmpDir), removed with the worker. */
  private scratch: string | undefined
  private tracker: RunTracker | undefined
  private closed = false
  private readonly opts: PreparedOptions
  private readonly memory: ThreadMemory

  constructor (readonly kind: 'serialized' | 'async', private readonly mode: BatchMessage['mode'], opts: ExecutorOptions = {}) {
    this.opts = prepareOptions(opts)
    this.memory = new ThreadMemory(this.opts.maxTasks)
  }

  async start (): Promise<void> {
    if (this.closed) throw new ExecutorError('COREBENCH_ERR_EXECUTOR_STATE', `${this.kind} executor is closed`)
    const t0 = now()
    this.scratch = createScratch(this.opts.tmpDir)
    const { worker, thread } = await this.spawn(this.scratch)
    this.worker = worker
    this.workerThread = thread
    this.startupMs = now() - t0
  }

  /** Terminates the worker (if any) and removes its scratch directory. */
  private async teardown (worker = this.worker): Promise<void> {
    this.worker = undefined
    this.workerThread = undefined
    await worker?.terminate()
    removeScratch(this.scratch)
    this.scratch = undefined
  }

  private async spawn (tmpDir: string): Promise<{ worker: Worker, thread: string | undefined }> {
    const { filename, entry } = threadEntry('thread')
    const worker = new Worker(filename, {
      workerData: { entry, tmpDir, ...this.memory.workerData, workload: this.opts.workload, workloadModule: this.opts.workloadModule },
      resourceLimits: { maxOldGenerationSizeMb: this.opts.maxOldGenerationSizeMb }
    })
    // Wait for the first answer: the entry module (and the workload catalog) is loaded.
    const pong = await ask(worker, { type: 'ping' }, 'pong', 'during start').catch(async (err: unknown) => {
      await worker.terminate()
      throw err
    })
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'result') this.tracker?.result(m, resultBytes(m))
    })
    worker.on('error', (err) => {
      this.tracker?.fail(new ExecutorError('COREBENCH_ERR_WORKER_EXITED', `worker thread failed: ${err.message}`, undefined, { cause: err }))
    })
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined
      this.tracker?.fail(new ExecutorError('COREBENCH_ERR_WORKER_EXITED', `worker thread exited with code ${code} during the run`))
    })
    return { worker, thread: pong.thread }
  }

  async run (plan: RunPlan, control: RunControl): Promise<ExecutorRunResult> {
    if (this.closed || this.tracker !== undefined) throw new ExecutorError('COREBENCH_ERR_EXECUTOR_STATE', `${this.kind} executor is ${this.closed ? 'closed' : 'busy'}`)
    if (plan.tasks > this.opts.maxTasks) throw new ExecutorError('COREBENCH_ERR_EXECUTOR_STATE', `tasks ${plan.tasks} is above this executor's maxTasks ${this.opts.maxTasks}`)
    if (this.worker === undefined) await this.start()
    const worker = this.worker as Worker
    this.memory.reset(plan.tasks)
    const batch: BatchMessage = { type: 'batch', mode: this.mode, count: plan.tasks, workload: plan.workload, params: plan.params, httpBase: plan.httpBase }
    const tracker = new RunTracker(plan, control, this.memory.watch(), () => {
      this.worker = undefined
      void worker.terminate()
    })
    this.tracker = tracker
    const threads = [this.workerThread]
    const cpu0 = threadsCpuNs(threads)
    tracker.dispatchedAll(now())
    worker.postMessage(batch)
    try {
      await tracker.promise
    } catch (err) {
      this.tracker = undefined
      await this.teardown(worker)
      if (!this.closed) await this.start()
      throw err
    }
    const taskCpuMs = cpuDeltaMs(cpu0, await settledThreadsCpuNs(threads))
    this.tracker = undefined
    return tracker.outcome({ bytesToWorkers: jsonBytes(batch), shared: this.memory.arrived(), taskCpuMs })
  }

  async canary (): Promise<number[]> {
    if (this.closed || this.tracker !== undefined) throw new ExecutorError('COREBENCH_ERR_EXECUTOR_STATE', `${this.kind} executor is ${this.closed ? 'closed' : 'busy'}`)
    if (this.worker === undefined) await this.start()
    const worker = this.worker as Worker
    try {
      return [(await ask(worker, { type: 'canary' }, 'canary', 'while it timed the canary')).ms]
    } catch (err) {
      // A thread that failed or hangs is not reused: the next run or canary starts a new one.
      await this.teardown(worker)
      throw err
    }
  }

  async close (): Promise<void> {
    this.closed = true
    // Between runs the worker holds no work, so terminating it loses nothing.
    await this.teardown()
  }

  async destroy (): Promise<void> {
    this.closed = true
    this.tracker?.fail(new ExecutorError('COREBENCH_ERR_CANCELLED', 'the executor was destroyed'))
    await this.teardown()
  }
}

/**
 * Sends `msg` to an idle worker thread and resolves with its next message of type `type`; rejects
 * with COREBENCH_ERR_WORKER_EXITED if the thread has exited (threadId −1: its 'exit' event is
 * already past), fails or exits first, or has not answered within ANSWER_MS (`when` says when).
 */
async function ask<T extends FromWorker['type']> (worker: Worker, msg: ToWorker, type: T, when: string): Promise<Extract<FromWorker, { type: T }>> {
  return await new Promise((resolve, reject) => {
    const fail = (why: string): void => { done(); reject(new ExecutorError('COREBENCH_ERR_WORKER_EXITED', `worker thread ${why} ${when}`)) }
    const onExit = (code: number): void => { fail(`exited with code ${code}`) }
    const onError = (err: Error): void => { done(); reject(err) }
    const onReply = (m: FromWorker): void => {
      if (m.type !== type) return
      done()
      resolve(m as Extract<FromWorker, { type: T }>)
    }
    const timer = setTimeout(() => { fail(`did not answer within ${ANSWER_MS} ms`) }, ANSWER_MS)
    const done = (): void => { clearTimeout(timer); worker.off('message', onReply); worker.off('error', onError); worker.off('exit', onExit) }
    worker.on('message', onReply)
    worker.on('error', onError)
    worker.on('exit', onExit)
    if (worker.threadId === -1) fail('had exited')
    else worker.postMessage(msg)
  })
}
