import { disturbedBy, type DisturbedThresholds } from '../measure/disturbance.js'
import type { RunOutcome } from '../measure/measure-run.js'
import { summarize } from '../stats/summary.js'
import type { JobRecord, RunStore } from '../store/types.js'
import { cellKey, cells, jobTasksTotal, runsPerCell, type Cell } from '../schemas/cells.js'
import { FINAL_EVENT, type Progress, type RunRef } from './events.js'
import type { ForkRunner } from './forks/types.js'
import { busyFraction } from './host-load.js'
import { cellOrder, type CellOrder } from './order.js'
import { noteClockPrecision } from '../measure/clock.js'
import { describeLeftovers, reapLeftovers } from '../executors/leftovers.js'
import type { JobPublisher } from './publisher.js'
import { CANCELLED_BY_REQUEST, type JobQueue } from './queue.js'
import { runData, toRunRecord } from './run-record.js'
import { isDeterministic, type RunnerCatalog } from './workloads.js'
import type { FinalStatus } from '../store/state.js'

/**
 * Why a job stopped before its end: a request, the runner's shutdown, the loss of the server that
 * supervised it, its budget, or a lost lease.
 */
export type StopReason = 'cancel' | 'shutdown' | 'orphaned' | 'budget' | 'lost'

export interface ExecutionContext {
  runnerId: string
  queue: JobQueue
  runs: RunStore
  publisher: JobPublisher
  forks: (runtime: string) => ForkRunner
  /** The job's whole budget (MAX_JOB_BUDGET_MS). */
  budgetMs: number
  /** The order of the cells in each round of forks (CELL_ORDER; default rotate). */
  cellOrder?: CellOrder
  /** Lease refresh interval. */
  heartbeatMs: number
  logger: { info: (o: object, m: string) => void, warn: (o: object, m: string) => void }
  /** Called whenever the job's live progress changes (the runner keeps it for its own status). */
  onProgress?: (p: Progress) => void
  /**
   * When a recorded run counts as disturbed (DISTURBED_*) and how many times its fork is then redone
   * (REDO_DISTURBED). Without it no run is flagged (disturbance is still measured and stored).
   */
  disturbance?: { thresholds: DisturbedThresholds, redos: number }
  /**
   * The versions the job runs with, recorded on the job before anything runs; or why this runner
   * refuses it (a workload or pinned version it has not loaded): the job then fails with that error.
   * Without it nothing is recorded or refused (unit tests of the lifecycle).
   */
  versionsFor?: RunnerCatalog['versionsFor']
  /** Skips the busy-host probe (unit tests of the lifecycle). */
  skipHostCheck?: boolean
}

const PROGRESS_EVERY_MS = 100

/** Running totals of a job: tasks done per cell and overall, and the serialized checksum every run must match. */
interface Tally {
  done: number
  total: number
  cellDone: Map<string, number>
  reference: string | undefined
}

/**
 * Measures one claimed job to its end: every cell's forks, one fork of each cell per round, in an
 * order that rotates from round to round (CELL_ORDER) so that drift on a noisy machine is spread
 * over every executor instead of always landing on the first; each recorded run stored before
 * it is announced; the lease refreshed every `heartbeatMs`; and the final state written by a
 * conditional transition. Stops early on `abort` (cancel or shutdown), on the budget, on a cancel
 * request seen at a heartbeat, and when the lease is lost (then it writes nothing more).
 */
export async function executeJob (job: JobRecord, abort: AbortController, ctx: ExecutionContext): Promise<void> {
  const { queue, runnerId } = ctx
  const deadline = setTimeout(() => { abort.abort('budget' satisfies StopReason) }, ctx.budgetMs)
  const renew = setInterval(() => {
    queue.heartbeat(job.id, runnerId).then(l => {
      if (!l.held) abort.abort('lost' satisfies StopReason)
      else if (l.cancelRequested) abort.abort('cancel' satisfies StopReason)
    }, (err: unknown) => { ctx.logger.warn({ err, jobId: job.id }, 'runner: heartbeat failed') })
  }, ctx.heartbeatMs)
  const warnings = [...job.warnings]
  let failures: string[] = []
  let refused: string | undefined
  try {
    await ctx.publisher.announce('job.started', job)
    // A cancel asked for between the claim and now (its bus message found no job here yet).
    const lease = await queue.heartbeat(job.id, runnerId)
    if (!lease.held) abort.abort('lost' satisfies StopReason)
    else if (lease.cancelRequested) abort.abort('cancel' satisfies StopReason)
    const versions = ctx.versionsFor?.(job.spec)
    if (versions?.ok === false) refused = versions.error
    else if (versions !== undefined) await queue.recordVersions(job.id, runnerId, versions.versions)
    if (ctx.skipHostCheck !== true) {
      // Task processes of a runner that died (kill -9) would measure beside this job: gone first.
      const leftovers = await reapLeftovers()
      if (leftovers.length > 0) {
        const what = describeLeftovers(leftovers)
        ctx.logger.warn({ jobId: job.id, leftovers }, what)
        warnings.push(what)
      }
      const busy = await busyFraction(250)
      if (busy > 0.25) warnings.push(`the host was ${Math.round(busy * 100)} % busy with other work just before the job started: expect noisy numbers`)
      if (warnings.length !== job.warnings.length) await queue.progress(job.id, runnerId, { warnings })
    }
    if (refused === undefined) failures = await measureCells(job, abort, ctx, warnings)
  } finally {
    clearTimeout(deadline)
    clearInterval(renew)
  }
  await finish(job, warnings, refused === undefined ? failures : [refused], abort.signal.reason as StopReason | undefined, ctx, refused !== undefined)
}

async function measureCells (job: JobRecord, abort: AbortController, ctx: ExecutionContext, warnings: string[]): Promise<string[]> {
  const spec = job.spec
  const jobCells = cells(spec)
  const broken = new Map<string, string>()
  const tally: Tally = { done: 0, total: jobTasksTotal(spec), cellDone: new Map(), reference: undefined }
  for (let fork = 0; fork < spec.repetitions && !abort.signal.aborted; fork++) {
    for (const cell of cellOrder(jobCells, fork, ctx.cellOrder)) {
      if (broken.has(cellKey(cell)) || abort.signal.aborted) continue
      // A fork whose recorded run was disturbed is redone whole (a fresh pool, its warm-ups again),
      // up to `redos` times; every try stays stored, and the statistics take the last one.
      for (let redo = 0; ; redo++) {
        const done = await measureFork(job, cell, fork, redo, tally, abort, ctx, warnings)
        if (done.failure !== undefined) broken.set(cellKey(cell), done.failure)
        if (done.failure !== undefined || done.disturbedBy === null || redo >= (ctx.disturbance?.redos ?? 0) || abort.signal.aborted) break
        ctx.logger.info({ jobId: job.id, cell: cellKey(cell), fork, redo: redo + 1, disturbedBy: done.disturbedBy }, 'runner: a disturbed run is redone')
        // The redo does the fork's tasks again: its progress starts over instead of passing the total.
        const forkTasks = (job.spec.warmup + 1) * job.spec.tasks
        tally.done -= forkTasks
        tally.cellDone.set(cellKey(cell), (tally.cellDone.get(cellKey(cell)) ?? forkTasks) - forkTasks)
      }
    }
  }
  return [...broken.values()]
}

/** One try (`redo` 0 first) of one fork of one cell through its ForkRunner. Returns why it failed, and why its recorded run was disturbed. */
async function measureFork (job: JobRecord, cell: Cell, fork: number, redo: number, tally: Tally, abort: AbortController, ctx: ExecutionContext, warnings: string[]): Promise<{ failure: string | undefined, disturbedBy: string | null }> {
  const spec = job.spec
  const key = cellKey(cell)
  const where = `${key} repetition ${fork + 1} of ${spec.repetitions}`
  // Run k of the fork: warm-ups first (k < warmup), then the recorded one.
  const refOf = (k: number): RunRef => ({ jobId: job.id, runtime: cell.runtime, executor: cell.executor, workers: cell.workers, fork, warmup: k < spec.warmup, tasks: spec.tasks, attempt: job.attempt })
  const jobBase = tally.done
  const cellBase = tally.cellDone.get(key) ?? 0
  const cellTotal = runsPerCell(spec) * spec.tasks
  let lastProgressAt = -Infinity
  /** The progress of a run whose tasks are all done, published when the run is recorded. */
  let runEnd: Progress | undefined
  let disturbed: string | null = null

  const runStarted = (k: number): (done: number) => void => {
    const ref = refOf(k)
    void ctx.publisher.publish('run.started', job.id, ref)
    const report = (done: number): void => {
      const p: Progress = { ...ref, runDone: done, runTotal: spec.tasks, cellDone: cellBase + k * spec.tasks + done, cellTotal, jobDone: jobBase + k * spec.tasks + done, jobTotal: tally.total }
      ctx.onProgress?.(p)
      // A run's last progress goes out when it is recorded: sent now, the work it sets off (numbering
      // it in the database, the API's fan-out) would run beside the canary timed right after the run.
      if (done === spec.tasks) {
        runEnd = p
        return
      }
      // Coalesced once here, so that no listener has to throttle 10 000 callbacks a second; on
      // the monotonic clock, so that a step of the wall clock cannot stop or flood them.
      const t = performance.now()
      if (t - lastProgressAt >= PROGRESS_EVERY_MS) {
        lastProgressAt = t
        ctx.publisher.progress(job.id, p)
      }
    }
    report(0)
    return report
  }

  const record = async (k: number, outcome: RunOutcome): Promise<string | undefined> => {
    if (runEnd !== undefined) {
      ctx.publisher.progress(job.id, runEnd)
      lastProgressAt = performance.now()
      runEnd = undefined
    }
    const ref = refOf(k)
    tally.done = jobBase + (k + 1) * spec.tasks
    tally.cellDone.set(key, cellBase + (k + 1) * spec.tasks)
    // A workload that declares itself non-deterministic has no reference: its runs' verified stays null.
    if (outcome.ok && cell.executor === 'serialized' && tally.reference === undefined && isDeterministic(spec.workload.id)) tally.reference = outcome.checksum
    if (outcome.ok) noteClockPrecision(warnings, key, outcome.clock)
    if (!ref.warmup || !outcome.ok) {
      if (!ref.warmup && outcome.ok && outcome.disturbance !== undefined && ctx.disturbance !== undefined) disturbed = disturbedBy(outcome.disturbance, ctx.disturbance.thresholds)
      const run = toRunRecord(ref, outcome, tally.reference, { disturbedBy: disturbed, redo })
      if (!await ctx.runs.insertRun(run, outcome.ok ? outcome.timings : undefined, ctx.runnerId)) {
        abort.abort('lost' satisfies StopReason)
        return `${where}: the job is no longer held by this runner`
      }
      void ctx.publisher.publish('run.finished', job.id, runData(run))
    }
    await ctx.queue.progress(job.id, ctx.runnerId, { tasksDone: tally.done })
    return outcome.ok ? undefined : `${ref.warmup ? 'warm-up before ' : ''}${where}: ${outcome.code}: ${outcome.error}`
  }

  const failure = await ctx.forks(cell.runtime).run({ spec, cell, signal: abort.signal }, { runStarted, record })
  return { failure, disturbedBy: disturbed }
}

/** Summarizes with the stored task timings, records the final state, then announces it. */
/** `refused`: the runner refused the job before running anything, and `failures` holds only why. */
async function finish (job: JobRecord, warnings: string[], failures: string[], reason: StopReason | undefined, ctx: ExecutionContext, refused = false): Promise<void> {
  const { runs: log, queue, runnerId, publisher } = ctx
  await publisher.flush(job.id)
  if (reason === 'lost') {
    ctx.logger.warn({ jobId: job.id }, 'runner: the job was recovered by another process (its lease expired); its late results were refused')
    return
  }
  const runs = await log.listRuns(job.id)
  const timings = new Map<string, Float32Array>()
  for (const r of runs) {
    const t = r.ok ? await log.getTimings(r.id) : undefined
    if (t !== undefined) timings.set(r.id, t)
  }
  const summary = summarize(job.spec, runs, timings)
  warnings.push(...summary.warnings)
  let status: FinalStatus = 'finished'
  let error: string | null = null
  if (reason === 'orphaned') {
    status = 'interrupted'
    error = 'interrupted: the server that supervised its runner is gone; runs measured before that are kept'
  } else if (reason === 'cancel' || reason === 'shutdown') {
    status = 'cancelled'
    error = reason === 'cancel' ? CANCELLED_BY_REQUEST : 'cancelled: the runner shut down; runs measured before that are kept'
  } else if (reason === 'budget') {
    status = 'failed'
    error = `the job ran past its budget of ${ctx.budgetMs} ms (MAX_JOB_BUDGET_MS) and was stopped; runs measured before that are kept`
  } else if (failures.length > 0) {
    status = 'failed'
    error = refused ? failures.join('; ') : `${failures.length} of ${cells(job.spec).length} cells failed: ${failures.join('; ')}`
  }
  const done = await queue.finish(job.id, runnerId, status, { error, summary, warnings })
  if (done === undefined) {
    ctx.logger.warn({ jobId: job.id, status }, 'runner: the job was no longer held when it ended; its final state was not written')
    return
  }
  // The status written, which a cancel requested meanwhile may have turned into `cancelled`.
  const final = done.status as FinalStatus
  ctx.logger.info({ jobId: job.id, status: final }, `job ${final}`)
  await publisher.announce(FINAL_EVENT[final], done)
}
