import type { JobRecord, JobStatus, NewJob, Store } from '../store/types.js'

/**
 * The job queue seen by the API and the runner. The SQLite implementation keeps the queue in the
 * jobs table; a PostgreSQL deployment with several runners swaps in another implementation (e.g.
 * on pg-boss) without touching either side.
 */
export interface JobQueue {
  /** Stores the job as `queued`; it is durable when this resolves. */
  enqueue(job: NewJob): Promise<JobRecord>
  /** Number of jobs waiting. */
  depth(): Promise<number>
  /** Takes the oldest queued job for this host, marking it `running`. */
  claim(hostId: string): Promise<JobRecord | undefined>
  /** Tells other runners the job is still alive. */
  heartbeat(jobId: string): Promise<void>
  /** Records the job's final state. */
  finish(jobId: string, status: Extract<JobStatus, 'finished' | 'failed' | 'cancelled'>, fields: { error?: string | null, summary?: unknown, warnings?: string[] }): Promise<void>
}

export class StoreQueue implements JobQueue {
  constructor (private readonly store: Store) {}

  async enqueue (job: NewJob): Promise<JobRecord> {
    return await this.store.createJob(job)
  }

  async depth (): Promise<number> {
    return await this.store.countJobs('queued')
  }

  async claim (hostId: string): Promise<JobRecord | undefined> {
    return await this.store.claimNextJob(hostId)
  }

  async heartbeat (): Promise<void> {
    // insertRun refreshes heartbeatAt with every stored run; one runner per SQLite file needs no more.
  }

  async finish (jobId: string, status: 'finished' | 'failed' | 'cancelled', fields: { error?: string | null, summary?: unknown, warnings?: string[] }): Promise<void> {
    await this.store.updateJob(jobId, { status, finishedAt: new Date(), ...fields })
  }
}
