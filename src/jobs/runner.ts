import { EventEmitter } from 'node:events'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.js'
import { createExecutor, type ExecutorOptions } from '../executors/index.js'
import type { HostFingerprint } from '../host/fingerprint.js'
import { measureRun, type RunOutcome } from '../measure/measure-run.js'
import { summarize } from '../stats/summary.js'
import type { JobRecord, Store } from '../store/types.js'
import type { FinalEvent, JobEvents, Progress, RunRef } from './events.js'
import type { JobQueue } from './queue.js'
import { busyFraction } from './host-load.js'
import { toRunRecord } from './run-record.js'
import { runPythonFork } from '../runtimes/python/index.js'
import type { Runtimes } from '../runtimes/runtimes.js'
import { cellKey, cells, jobTasksTotal, type Cell } from './cells.js'
import { cellOrder } from './order.js'

export interface RunnerOptions {
  store: Store
  queue: JobQueue
  host: HostFingerprint
  config: Config
  logger: FastifyBaseLogger
  /** Where the http-get workload finds the loopback delay endpoint (undefined until listening). */
  httpBase: () => string | undefined
  executorOptions?: ExecutorOptions
  runtimes: Runtimes
}

type StopReason = 'cancel' | 'shutdown' | 'budget'

interface Current {
  job: JobRecord
  abort: AbortController
  progress: Progress | undefined
  lastProgressAt: number
}

const PROGRESS_EVERY_MS = 100

/** A job's running totals: tasks done (warm-ups included) and the serialized checksum every run must match. */
interface Tally {
  done: number
  total: number
  reference: string | undefined
}

/**
 * Runs queued jobs one at a time (benchmarks must not share cores), every repetition of a cell on a
 * fresh warmed pool, with repetitions interleaved across cells (A B C A B C …) so that drift on a
 * noisy machine is spread over every executor instead of biasing one. Every recorded run is stored
 * before it is announced.
 */
export class Runner extends EventEmitter<JobEvents> {
  private current: Current | undefined
  private loop: Promise<void> | undefined
  private closing = false

  constructor (private readonly opts: RunnerOptions) {
    super()
  }

  /** Marks jobs a crash left running, then starts on the queue. */
  async start (): Promise<void> {
    const ids = await this.opts.store.recoverRunningJobs(this.opts.config.REQUEUE_INTERRUPTED)
    if (ids.length > 0) this.opts.logger.warn({ jobs: ids }, `${ids.length} job(s) were running when the server stopped: ${this.opts.config.REQUEUE_INTERRUPTED ? 're-queued' : 'marked interrupted'}`)
    this.kick()
  }

  /** Announces a job the API has just stored and wakes the loop. */
  queued (job: JobRecord): void {
    this.emit('job.queued', job)
    this.kick()
  }

  /** Live position of the running job, if it is this one. */
  progressOf (jobId: string): Progress | undefined {
    return this.current?.job.id === jobId ? this.current.progress : undefined
  }

  get runningJobId (): string | undefined {
    return this.current?.job.id
  }

  /** Cancels a queued or running job; false when it is neither. */
  async cancel (jobId: string): Promise<boolean> {
    if (this.current?.job.id === jobId) {
      this.current.abort.abort('cancel' satisfies StopReason)
      return true
    }
    const job = await this.opts.store.getJob(jobId)
    if (job?.status !== 'queued') return false
    await this.opts.queue.finish(jobId, 'cancelled', { error: 'cancelled before it started' })
    await this.emitFinal('job.cancelled', jobId)
    return true
  }

  /** Stops taking jobs, cancels the running one (recorded as cancelled) and waits for it to be stored. */
  async close (): Promise<void> {
    this.closing = true
    this.current?.abort.abort('shutdown' satisfies StopReason)
    await this.loop
  }

  private kick (): void {
    if (this.loop !== undefined || this.closing) return
    this.loop = this.drain().finally(() => { this.loop = undefined })
  }

  private async drain (): Promise<void> {
    while (!this.closing) {
      let job: JobRecord | undefined
      try {
        job = await this.opts.queue.claim(this.opts.host.id)
      } catch (err) {
        this.opts.logger.error({ err }, 'runner: cannot claim a job')
        return
      }
      if (job === undefined) return
      try {
        await this.runJob(job)
      } catch (err) {
        // A bug or a database failure must not stop the queue: record what we can and go on.
        this.opts.logger.error({ err, jobId: job.id }, 'runner: job crashed')
        await this.opts.queue.finish(job.id, 'failed', { error: `internal error: ${(err as Error).message}` }).catch(() => {})
        await this.emitFinal('job.failed', job.id)
      }
    }
  }

  private async runJob (job: JobRecord): Promise<void> {
    const { store, config } = this.opts
    const abort = new AbortController()
    const current: Current = { job, abort, progress: undefined, lastProgressAt: 0 }
    this.current = current
    const deadline = setTimeout(() => { abort.abort('budget' satisfies StopReason) }, config.MAX_JOB_BUDGET_MS)
    const warnings = [...job.warnings]
    let failures: string[]
    try {
      const busy = await busyFraction(250)
      if (busy > 0.25) warnings.push(`the host was ${Math.round(busy * 100)} % busy with other work just before the job started: expect noisy numbers`)
      if (warnings.length !== job.warnings.length) await store.updateJob(job.id, { warnings })
      this.emit('job.started', { ...job, warnings })
      failures = await this.measureCells(current)
    } finally {
      clearTimeout(deadline)
      this.current = undefined
    }
    await this.finish(job, warnings, failures, abort.signal.reason as StopReason | undefined)
  }

  /**
   * JMH-style forks: each repetition of each cell gets a fresh pool that runs the warm-up and then
   * one measured run, so repetitions are independent samples of the pool's start-up state (where
   * its threads land, what its isolates compiled). On a shared pool, two jobs of one spec differed
   * by up to 1.6× on this class of VM while each job's own runs agreed: the tests then over-claim.
   * Forks are interleaved (A B C A B C …) and only one pool exists at a time. A cell whose run
   * fails is abandoned (its failed run is stored); returns one reason per abandoned cell.
   */
  private async measureCells (current: Current): Promise<string[]> {
    const { job, abort } = current
    const spec = job.spec
    const jobCells = cells(spec)
    const broken = new Map<string, string>()
    const tally: Tally = { done: 0, total: jobTasksTotal(spec), reference: undefined }
    for (let fork = 0; fork < spec.repetitions && !abort.signal.aborted; fork++) {
      for (const cell of cellOrder(jobCells, fork, this.opts.config.CELL_ORDER)) {
        if (broken.has(cellKey(cell)) || abort.signal.aborted) continue
        const failure = await this.measureFork(current, cell, fork, tally)
        if (failure !== undefined) broken.set(cellKey(cell), failure)
      }
    }
    return [...broken.values()]
  }

  /** One fork of one cell: a fresh pool, its warm-ups, one recorded run. Returns why it failed. */
  private async measureFork (current: Current, cell: Cell, fork: number, tally: Tally): Promise<string | undefined> {
    const spec = current.job.spec
    const where = `${cellKey(cell)} repetition ${fork + 1} of ${spec.repetitions}`
    // Run k of the fork: warm-ups first (repetition -warmup … -1), then the recorded one (= fork).
    const refOf = (k: number): RunRef => ({ jobId: current.job.id, runtime: cell.runtime, executor: cell.executor, workers: cell.workers, fork, repetition: k === spec.warmup ? fork : k - spec.warmup, warmup: k < spec.warmup, tasks: spec.tasks })
    const base = tally.done
    const record = async (k: number, outcome: RunOutcome): Promise<string | undefined> => {
      const ref = refOf(k)
      tally.done = base + (k + 1) * spec.tasks
      if (outcome.ok && cell.executor === 'serialized' && tally.reference === undefined) tally.reference = outcome.checksum
      if (!ref.warmup || !outcome.ok) {
        const run = toRunRecord(ref, outcome, tally.reference)
        await this.opts.store.insertRun(run, outcome.ok ? outcome.timings : undefined)
        this.emit('run.finished', run)
      }
      await this.opts.store.updateJob(current.job.id, { tasksDone: tally.done })
      return outcome.ok ? undefined : `${ref.warmup ? 'warm-up before ' : ''}${where}: ${outcome.code}: ${outcome.error}`
    }
    if (cell.runtime !== 'node') return await this.pythonFork(current, cell, refOf, base, tally.total, record)

    const { config } = this.opts
    const pool = createExecutor(cell.executor, cell.workers, { maxOldGenerationSizeMb: config.WORKER_MAX_OLD_GEN_MB, maxTasks: config.MAX_TASKS, ...this.opts.executorOptions })
    try {
      try {
        await pool.start()
      } catch (err) {
        return `${where}: the pool did not start: ${(err as Error).message}`
      }
      for (let k = 0; k <= spec.warmup; k++) {
        const onTaskDone = this.runStarted(current, refOf(k), base + k * spec.tasks, tally.total)
        const outcome = await measureRun(pool, { workload: spec.workload.id, params: spec.workload.params, tasks: spec.tasks, httpBase: this.opts.httpBase() }, {
          signal: current.abort.signal,
          taskTimeoutMs: spec.taskTimeoutMs,
          onTaskDone
        })
        // A run cut short by cancel, shutdown or the budget is not a measurement: it is not stored.
        if (current.abort.signal.aborted) return undefined
        const failed = await record(k, outcome)
        if (failed !== undefined) return failed
      }
      return undefined
    } finally {
      await pool.destroy()
    }
  }

  /**
   * A Python fork is one harness process: it starts its pool, warms it and measures once, reporting
   * as it goes; the outcomes are recorded like Node's when it ends.
   */
  private async pythonFork (current: Current, cell: Cell, refOf: (k: number) => RunRef, base: number, total: number, record: (k: number, o: RunOutcome) => Promise<string | undefined>): Promise<string | undefined> {
    const spec = current.job.spec
    const interpreter = this.opts.runtimes.python(cell.runtime)
    if (interpreter === undefined) return `${cellKey(cell)}: runtime ${cell.runtime} is not available on this host`
    let onTaskDone: (done: number) => void = () => {}
    const outcomes = await runPythonFork({
      workload: spec.workload.id, params: spec.workload.params, tasks: spec.tasks, executor: cell.executor, workers: cell.workers, warmup: spec.warmup, command: interpreter.command, tmpDir: this.opts.executorOptions?.tmpDir
    }, {
      signal: current.abort.signal,
      taskTimeoutMs: spec.taskTimeoutMs,
      onRunStart: k => { onTaskDone = this.runStarted(current, refOf(k), base + k * spec.tasks, total) },
      onTaskDone: done => { onTaskDone(done) }
    })
    if (current.abort.signal.aborted) return undefined
    for (const [k, outcome] of outcomes.entries()) {
      const failed = await record(k, outcome)
      if (failed !== undefined) return failed
    }
    return undefined
  }

  /** Summarizes with the stored task timings, records the final state, then announces it. */
  private async finish (job: JobRecord, warnings: string[], failures: string[], reason: StopReason | undefined): Promise<void> {
    const { store, config, logger } = this.opts
    const runs = await store.listRuns(job.id)
    const timings = new Map<string, Float32Array>()
    for (const r of runs) {
      const t = r.ok ? await store.getTimings(r.id) : undefined
      if (t !== undefined) timings.set(r.id, t)
    }
    const summary = summarize(job.spec, runs, timings)
    warnings.push(...summary.warnings)
    let status: 'finished' | 'failed' | 'cancelled' = 'finished'
    let error: string | null = null
    if (reason === 'cancel' || reason === 'shutdown') {
      status = 'cancelled'
      error = reason === 'cancel' ? 'cancelled by request; runs measured before that are kept' : 'cancelled: the server shut down; runs measured before that are kept'
    } else if (reason === 'budget') {
      status = 'failed'
      error = `the job ran past its budget of ${config.MAX_JOB_BUDGET_MS} ms (MAX_JOB_BUDGET_MS) and was stopped; runs measured before that are kept`
    } else if (failures.length > 0) {
      status = 'failed'
      error = `${failures.length} of ${cells(job.spec).length} cells failed: ${failures.join('; ')}`
    }
    await this.opts.queue.finish(job.id, status, { error, summary, warnings })
    logger.info({ jobId: job.id, status }, `job ${status}`)
    await this.emitFinal(status === 'finished' ? 'job.finished' : status === 'failed' ? 'job.failed' : 'job.cancelled', job.id)
  }

  /** Announces a run and returns its progress reporter (coalesced: see PROGRESS_EVERY_MS). */
  private runStarted (current: Current, ref: RunRef, jobDoneBefore: number, jobTotal: number): (done: number) => void {
    const spec = current.job.spec
    const report = (done: number): void => {
      current.progress = { ...ref, runDone: done, runTotal: spec.tasks, jobDone: jobDoneBefore + done, jobTotal }
      const t = Date.now()
      // Coalesced here once, so that no listener has to throttle 10 000 callbacks a second: at most
      // one per PROGRESS_EVERY_MS per job, across run boundaries too (run.started and run.finished
      // already mark where runs begin and end).
      if (t - current.lastProgressAt >= PROGRESS_EVERY_MS) {
        current.lastProgressAt = t
        this.emit('progress', current.progress)
      }
    }
    this.emit('run.started', ref)
    report(0)
    return report
  }

  /** Announces a job's end with its stored final state; awaited, so close() returns after it. */
  private async emitFinal (event: FinalEvent, jobId: string): Promise<void> {
    const job = await this.opts.store.getJob(jobId).catch(() => undefined)
    if (job !== undefined) this.emit(event, job)
  }
}
