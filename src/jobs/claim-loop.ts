import type { JobRecord } from '../store/types.js'
import type { JobEventBus } from './bus.js'
import type { Progress } from './events.js'
import { executeJob, type ExecutionContext, type StopReason } from './execute-job.js'
import type { RunnerIdentity } from './queue.js'

export interface ClaimLoopOptions extends Omit<ExecutionContext, 'runnerId' | 'onProgress'> {
  identity: RunnerIdentity
  bus: JobEventBus
  /** False when another path delivers jobs (pg-boss in team mode): the poll stays as the fallback. */
  wakeOnQueued?: boolean
  /** How often an idle runner looks for work it was not told about (another API instance, a lost message). */
  idlePollMs: number
  /** Back-off after a failed claim: first delay and cap. */
  retryMs: { first: number, max: number }
  logger: ExecutionContext['logger'] & { error: (o: object, m: string) => void }
  onState?: (state: LoopState) => void
  /** False while the runner may not claim (its machine lock is lost); it kicks the loop once it may again. */
  mayClaim?: () => boolean
  /** The clock the back-off waits on; tests replace it. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
}

export type LoopState = { state: 'idle' } | { state: 'running', jobId: string } | { state: 'stalled', since: Date, error: string } | { state: 'closed' }

/**
 * A runner's claim loop: one job at a time (benchmarks must not share cores). Woken by `queued`
 * commands on the bus and by an idle poll; a failed claim (a locked or full database, say) is
 * logged and retried with back-off, never the end of the loop. Cancel arrives as a bus command or,
 * durably, at the job's next heartbeat.
 */
export class ClaimLoop {
  private current: { job: JobRecord, abort: AbortController, progress: Progress | undefined } | undefined
  private loop: Promise<void> | undefined
  /** A wake-up that came while a claim was in flight: that claim may have looked too early. */
  private rekick = false
  /** Cancels for jobs not (yet) running here: a claim in flight may be about to return one. */
  private readonly cancels = new Set<string>()
  private closing = false
  private readonly stop = new AbortController()
  private _status: LoopState = { state: 'idle' }
  private readonly unsubscribe: () => void
  private poll: NodeJS.Timeout | undefined

  constructor (private readonly opts: ClaimLoopOptions) {
    this.unsubscribe = opts.bus.onCommand(cmd => {
      if (cmd.type === 'queued') {
        if (opts.wakeOnQueued !== false) this.kick()
      }
      else if (this.current?.job.id === cmd.jobId) this.current.abort.abort('cancel' satisfies StopReason)
      else this.cancels.add(cmd.jobId)
    })
  }

  start (): void {
    this.poll = setInterval(() => { this.kick() }, this.opts.idlePollMs)
    this.kick()
  }

  get state (): LoopState {
    return this._status
  }

  private get status (): LoopState {
    return this._status
  }

  private set status (s: LoopState) {
    this._status = s
    this.opts.onState?.(s)
  }

  get runningJob (): { id: string, progress: Progress | undefined } | undefined {
    return this.current === undefined ? undefined : { id: this.current.job.id, progress: this.current.progress }
  }

  /**
   * Stops claiming, stops the running job (recorded as cancelled, or as interrupted when the runner
   * lost its server) and waits until it is stored.
   */
  async close (why: 'shutdown' | 'orphaned' = 'shutdown'): Promise<void> {
    this.closing = true
    this.stop.abort()
    clearInterval(this.poll)
    this.unsubscribe()
    this.current?.abort.abort(why satisfies StopReason)
    await this.loop
    this.status = { state: 'closed' }
  }

  /**
   * Runs one job a delivery named (team mode, src/jobs/pg-delivery.ts) once no other job runs here:
   * claims its row conditionally and runs it; resolves when it is stored, or at once when the row is
   * no longer this runner's to take. Throws while closing, so that the delivery fails and is re-sent.
   */
  async deliver (jobId: string): Promise<void> {
    while (this.loop !== undefined) await this.loop
    if (this.closing) throw new Error('the runner is closing')
    this.loop = (async () => {
      const job = await this.opts.queue.claimJob(jobId, this.opts.identity)
      this.opts.logger.info({ jobId }, job === undefined ? 'runner: delivered job is no longer claimable here' : 'runner: claimed a delivered job')
      if (job !== undefined) await this.run(job)
    })().finally(() => { this.loop = undefined })
    await this.loop
  }

  kick (): void {
    if (this.closing) return
    if (this.loop !== undefined) {
      this.rekick = true
      return
    }
    this.loop = this.drain().finally(() => { this.loop = undefined })
  }

  private async drain (): Promise<void> {
    const { queue, logger } = this.opts
    let delay = this.opts.retryMs.first
    while (!this.closing) {
      let job: JobRecord | undefined
      this.rekick = false
      if (this.opts.mayClaim?.() === false) {
        if (this.status.state !== 'stalled') this.status = { state: 'stalled', since: new Date(), error: 'the machine lock was lost; no job is claimed until it is taken again' }
        return
      }
      try {
        job = await queue.claim(this.opts.identity)
        delay = this.opts.retryMs.first
      } catch (err) {
        const error = (err as Error).message
        if (this.status.state !== 'stalled') this.status = { state: 'stalled', since: new Date(), error }
        logger.error({ err, retryInMs: delay }, 'runner: cannot claim a job; retrying')
        await this.sleep(delay)
        delay = Math.min(delay * 2, this.opts.retryMs.max)
        continue
      }
      if (job === undefined) {
        if (this.rekick) continue
        this.status = { state: 'idle' }
        return
      }
      if (this.closing) {
        // Claimed while the runner was closing: it never started, so it goes back to the queue.
        const back = await queue.release(job, 'queued', 'the runner shut down as it claimed the job; re-queued').catch(() => undefined)
        if (back !== undefined) await this.opts.publisher.announce('job.queued', back)
        return
      }
      await this.run(job)
    }
  }

  private async run (job: JobRecord): Promise<void> {
    const abort = new AbortController()
    const current: { job: JobRecord, abort: AbortController, progress: Progress | undefined } = { job, abort, progress: undefined }
    this.current = current
    if (this.cancels.has(job.id)) abort.abort('cancel' satisfies StopReason)
    this.cancels.clear()
    this.status = { state: 'running', jobId: job.id }
    try {
      await executeJob(job, abort, { ...this.opts, runnerId: this.opts.identity.runnerId, onProgress: p => { current.progress = p } })
    } catch (err) {
      // A bug or a database failure (a run that could not be stored) must not stop the queue, nor
      // leave the job running for ever: record why it failed, retrying while the database refuses.
      this.opts.logger.error({ err, jobId: job.id }, 'runner: job crashed')
      await this.failJob(job, `failed: ${(err as Error).message.trim().split('\n').pop() ?? 'internal error'}`)
    } finally {
      this.current = undefined
      this.status = { state: 'idle' }
    }
  }

  /** Ends a crashed job as failed; retried with back-off until it is written or the loop closes (then its lease expires). */
  private async failJob (job: JobRecord, error: string): Promise<void> {
    let delay = this.opts.retryMs.first
    while (!this.closing) {
      try {
        const failed = await this.opts.queue.finish(job.id, this.opts.identity.runnerId, 'failed', { error })
        if (failed !== undefined) await this.opts.publisher.announce('job.failed', failed)
        return
      } catch (err) {
        this.status = { state: 'stalled', since: this.status.state === 'stalled' ? this.status.since : new Date(), error: (err as Error).message }
        this.opts.logger.error({ err, jobId: job.id, retryInMs: delay }, 'runner: cannot record the failed job; retrying')
        await this.sleep(delay)
        delay = Math.min(delay * 2, this.opts.retryMs.max)
      }
    }
  }

  private async sleep (ms: number): Promise<void> {
    const sleep = this.opts.sleep ?? (async (t: number, signal: AbortSignal) => await new Promise<void>(resolve => {
      const timer = setTimeout(resolve, t)
      signal.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
    }))
    await sleep(ms, this.stop.signal)
  }
}
