import type { JobRecord, JobStatus, JobStore, JobTransition, NewJob } from '../store/types.js'
import type { FinalStatus } from '../store/state.js'
import type { JobVersions } from '../schemas/workload.js'

/** Who claims: one runner process on one host, able to run these runtimes. */
export interface RunnerIdentity {
  runnerId: string
  hostId: string
  runtimes: readonly string[]
}

export interface Lease {
  /** False once the job is no longer this runner's (recovered after a lost lease, say). */
  held: boolean
  cancelRequested: boolean
}

export interface FinishFields {
  error?: string | null
  summary?: unknown
  warnings?: string[]
}

/**
 * The job queue seen by the API (enqueue, cancel) and by runners (claim, heartbeat, finish). Every
 * status change is a conditional transition (src/store/state.ts): methods that change a status return
 * the job as changed, or undefined when the transition lost a race. The returned job's `eventSeq` is
 * the seq of the event that announces the change.
 *
 * Implementation: StoreQueue over a JobStore (the jobs table: SQLite by default; MemoryStore in
 * unit tests). A PostgreSQL deployment backs it with pg-boss without touching either side.
 */
export interface JobQueue {
  /** Stores the job as `queued` (its `job.queued` event is seq 1); durable when this resolves. */
  enqueue: (job: NewJob) => Promise<JobRecord>
  /** Number of jobs waiting. */
  depth: () => Promise<number>
  /** Takes the oldest queued job this runner can run: queued → running, held by it. */
  claim: (runner: RunnerIdentity) => Promise<JobRecord | undefined>
  /** Refreshes the lease of a job this runner holds. */
  heartbeat: (jobId: string, runnerId: string) => Promise<Lease>
  /** Progress of a held job; false when it is no longer held. */
  progress: (jobId: string, runnerId: string, fields: { tasksDone?: number, warnings?: string[] }) => Promise<boolean>
  /**
   * running → a final status, only by the runner that holds it. A cancel requested before this
   * write wins over `finished` and `failed`: the job ends `cancelled` (the API has answered
   * "cancelling"), with the summary and warnings given.
   */
  finish: (jobId: string, runnerId: string, status: FinalStatus, fields: FinishFields) => Promise<JobRecord | undefined>
  /** Records the versions a held job runs with (JobStore.setJobVersions); false when it is no longer held. */
  recordVersions: (jobId: string, runnerId: string, versions: JobVersions) => Promise<boolean>
  /** queued → cancelled. */
  cancelQueued: (jobId: string) => Promise<JobRecord | undefined>
  /** Asks the runner holding a running job to stop; false when the job is not running. */
  requestCancel: (jobId: string) => Promise<boolean>
  /** Running jobs held by this runner, or whose lease expired before `staleBefore`. */
  held: (by: { runnerId?: string, staleBefore?: Date }) => Promise<JobRecord[]>
  /**
   * running → interrupted (or back to queued), only from the runner seen holding it and, with
   * `staleBefore`, only if its lease is still older than that.
   */
  release: (job: JobRecord, to: Extract<JobStatus, 'interrupted' | 'queued'>, error: string, staleBefore?: Date) => Promise<JobRecord | undefined>
  /**
   * Advances the job's event counter: the seq of the next event published for it. With `holder`,
   * only while that runner holds the job (undefined otherwise: the event is stale and not sent).
   */
  nextSeq: (jobId: string, holder?: string) => Promise<number | undefined>
}

export const CANCELLED_BY_REQUEST = 'cancelled by request; runs measured before that are kept'

/**
 * The finishing rule of JobQueue.finish over one conditional transition, shared by every
 * implementation: finished/failed only if no cancel was requested, else cancelled.
 */
export async function finishHeld (transition: (t: JobTransition) => Promise<JobRecord | undefined>, jobId: string, runnerId: string, status: FinalStatus, fields: FinishFields): Promise<JobRecord | undefined> {
  if (status !== 'finished' && status !== 'failed') return await transition({ from: 'running', to: status, runnerId, patch: fields })
  const done = await transition({ from: 'running', to: status, runnerId, noCancelRequest: true, patch: fields })
  if (done !== undefined) return done
  // Either the job is no longer ours (then this fails too) or a cancel was asked for meanwhile.
  return await transition({ from: 'running', to: 'cancelled', runnerId, patch: { ...fields, error: CANCELLED_BY_REQUEST } })
}

/** The queue kept in the store's jobs table. */
export class StoreQueue implements JobQueue {
  constructor (private readonly store: JobStore) {}

  async enqueue (job: NewJob): Promise<JobRecord> {
    return await this.store.createJob(job)
  }

  async depth (): Promise<number> {
    return await this.store.countJobs('queued')
  }

  async claim (runner: RunnerIdentity): Promise<JobRecord | undefined> {
    return await this.store.claimNextJob(runner)
  }

  async heartbeat (jobId: string, runnerId: string): Promise<Lease> {
    return await this.store.heartbeatJob(jobId, runnerId)
  }

  async progress (jobId: string, runnerId: string, fields: { tasksDone?: number, warnings?: string[] }): Promise<boolean> {
    return await this.store.updateHeldJob(jobId, runnerId, fields)
  }

  async finish (jobId: string, runnerId: string, status: FinalStatus, fields: FinishFields): Promise<JobRecord | undefined> {
    return await finishHeld(async t => await this.store.transitionJob(jobId, t), jobId, runnerId, status, fields)
  }

  async recordVersions (jobId: string, runnerId: string, versions: JobVersions): Promise<boolean> {
    return await this.store.setJobVersions(jobId, runnerId, versions)
  }

  async cancelQueued (jobId: string): Promise<JobRecord | undefined> {
    return await this.store.transitionJob(jobId, { from: 'queued', to: 'cancelled', patch: { error: 'cancelled before it started' } })
  }

  async requestCancel (jobId: string): Promise<boolean> {
    return await this.store.requestCancel(jobId)
  }

  async held (by: { runnerId?: string, staleBefore?: Date }): Promise<JobRecord[]> {
    return await this.store.heldJobs(by)
  }

  async release (job: JobRecord, to: 'interrupted' | 'queued', error: string, staleBefore?: Date): Promise<JobRecord | undefined> {
    // A row left running before runners had ids has no holder to match.
    return await this.store.transitionJob(job.id, { from: 'running', to, runnerId: job.runnerId ?? undefined, staleBefore, patch: { error } })
  }

  async nextSeq (jobId: string, holder?: string): Promise<number | undefined> {
    return await this.store.nextEventSeq(jobId, holder)
  }
}
