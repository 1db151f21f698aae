import type { JobRecord } from '../store/types.js'
import type { JobEventBus } from './bus.js'
import type { JobPublisher } from './publisher.js'
import type { JobQueue } from './queue.js'

export type CancelResult = 'cancelled' | 'cancelling' | 'not-active'

/**
 * What an API instance does to jobs besides reading them: announce a stored job to the runners and
 * cancel one. Both work whichever runner, local or remote, holds the job.
 */
export class JobControl {
  constructor (
    private readonly queue: JobQueue,
    private readonly bus: JobEventBus,
    private readonly publisher: JobPublisher
  ) {}

  /** Announces a job just stored by `queue.enqueue` and wakes the runners. */
  async queued (job: JobRecord): Promise<void> {
    await this.publisher.announce('job.queued', job)
    this.bus.command({ type: 'queued', jobId: job.id })
  }

  /**
   * A queued job is cancelled here by a conditional transition (announced at once); a running one
   * is asked to stop (durably, and over the bus for speed) and its runner records and announces
   * `cancelled` with the runs measured so far. `not-active` when the job had already ended.
   */
  async cancel (jobId: string): Promise<CancelResult> {
    const cancelled = await this.queue.cancelQueued(jobId)
    if (cancelled !== undefined) {
      await this.publisher.announce('job.cancelled', cancelled)
      return 'cancelled'
    }
    // Lost the race to a runner (or it was running all along): ask it to stop.
    if (await this.queue.requestCancel(jobId)) {
      this.bus.command({ type: 'cancel', jobId })
      return 'cancelling'
    }
    return 'not-active'
  }
}
