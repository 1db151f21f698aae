import type { JobRecord } from '../store/types.js'
import type { JobEventBus } from './bus.js'
import type { JobEventType } from './events.js'
import type { JobQueue } from './queue.js'

/**
 * Numbers and publishes a job's events in the order they are asked for. Each event's seq comes from
 * the job's counter in the queue, so a job's events are numbered alike whichever process publishes
 * them, and never backwards across restarts. Events of one job go out one at a time; a progress
 * event asked for while another waits replaces it (progress is a state, not a log).
 */
export class JobPublisher {
  private readonly chains = new Map<string, Promise<void>>()
  private readonly pendingProgress = new Map<string, unknown>()

  constructor (
    private readonly bus: JobEventBus,
    private readonly queue: Pick<JobQueue, 'nextSeq'>,
    /** A job as its events carry it (the list item clients know). */
    private readonly jobData: (job: JobRecord) => unknown,
    private readonly onError: (err: unknown) => void,
    /** A runner publishes only for jobs it still holds: a lost job's late events are dropped. */
    private readonly holder?: string
  ) {}

  /** An event whose seq is still to be taken from the counter. */
  publish (type: Exclude<JobEventType, 'progress'>, jobId: string, data: unknown): Promise<void> {
    return this.enqueue(jobId, async () => { this.emit(type, jobId, await this.queue.nextSeq(jobId, this.holder), data) })
  }

  /** Latest progress wins while an earlier event of the job is still being numbered. */
  progress (jobId: string, data: unknown): void {
    const waiting = this.pendingProgress.has(jobId)
    this.pendingProgress.set(jobId, data)
    if (waiting) return
    void this.enqueue(jobId, async () => {
      const latest = this.pendingProgress.get(jobId)
      this.pendingProgress.delete(jobId)
      this.emit('progress', jobId, await this.queue.nextSeq(jobId, this.holder), latest)
    })
  }

  /** A status change whose seq the transition itself took (`job.eventSeq`). */
  announce (type: JobEventType, job: JobRecord): Promise<void> {
    return this.enqueue(job.id, async () => { this.emit(type, job.id, job.eventSeq, this.jobData(job)) })
  }

  /** Resolves when every event asked for so far is out. */
  async flush (jobId: string): Promise<void> {
    await this.chains.get(jobId)
  }

  private emit (type: JobEventType, jobId: string, seq: number | undefined, data: unknown): void {
    if (seq === undefined) return
    this.bus.publish({ type, jobId, seq, at: new Date().toISOString(), data })
  }

  private enqueue (jobId: string, step: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(jobId) ?? Promise.resolve()).then(step).catch(this.onError)
    this.chains.set(jobId, next)
    void next.then(() => { if (this.chains.get(jobId) === next) this.chains.delete(jobId) })
    return next
  }
}
