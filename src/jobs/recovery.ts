import type { JobRecord } from '../store/types.js'
import type { JobPublisher } from './publisher.js'
import type { JobQueue } from './queue.js'

export interface RecoverOptions {
  /** Jobs held by this runner (its supervisor saw it exit)… */
  runnerId?: string
  /** …or whose lease was last refreshed before this. */
  staleBefore?: Date
  requeue: boolean
  /** Why, in words: becomes the job's error. */
  reason: string
}

/**
 * Ends the jobs of a runner that is gone: `interrupted` with the reason (or `queued` again when
 * configured), each by a conditional transition from the runner seen holding it, so a runner that
 * is alive and renewed its lease meanwhile keeps its job. Announces each change; returns the jobs changed.
 */
export async function recoverJobs (queue: JobQueue, publisher: JobPublisher, opts: RecoverOptions): Promise<JobRecord[]> {
  const held = await queue.held({ runnerId: opts.runnerId, staleBefore: opts.staleBefore })
  const changed: JobRecord[] = []
  for (const job of held) {
    const error = opts.requeue
      ? `interrupted (${opts.reason}); re-queued`
      : `interrupted: ${opts.reason}; runs measured before that are kept`
    const done = await queue.release(job, opts.requeue ? 'queued' : 'interrupted', error, opts.staleBefore)
    if (done === undefined) continue
    changed.push(done)
    await publisher.announce(opts.requeue ? 'job.queued' : 'job.interrupted', done)
  }
  return changed
}
