import type { JobRecord, JobStatus, JobTransition, NewJob, RunRecord } from '../store/types.js'
import { finishHeld, type FinishFields, type JobQueue, type Lease, type RunLog, type RunnerIdentity } from './queue.js'
import { assertTransition, isFinal, type FinalStatus } from './state.js'

/**
 * Places where a test can hold a MemoryQueue call in mid-flight (with a latch it resolves later)
 * to drive a race deterministically. Each is awaited; a hook that throws fails the call.
 */
export interface MemoryQueueHooks {
  /**
   * A claim has read the queued jobs it may take (ids oldest first, possibly none) and has not yet
   * tried to take one: the window in which another process can cancel or take them.
   */
  beforeClaim?: (candidates: readonly string[]) => Promise<void>
  /** A claim has made its transition (or found nothing) and has not yet answered. */
  afterClaim?: (job: JobRecord | undefined) => Promise<void>
  /** `held` has read the jobs and has not yet answered: the window between a recovery's read and its release. */
  afterHeld?: (jobs: readonly JobRecord[]) => Promise<void>
  /** Told of every heartbeat's answer (not awaited). */
  onHeartbeat?: (jobId: string, lease: Lease) => void
}

export interface MemoryQueueOptions {
  /** The clock of leases, startedAt and finishedAt (default: the wall clock). */
  now?: () => Date
  hooks?: MemoryQueueHooks
}

/** A stored job plus the fields JobRecord does not carry. */
interface Row {
  job: JobRecord
  heartbeatAt: Date | null
  cancelRequestedAt: Date | null
}

/**
 * The job queue and run log in memory, FOR TESTS: unit tests of the claim loop, the job execution
 * and recovery run against it without a database. It mirrors PrismaStore (src/store/prisma-store.ts)
 * call for call: every status change goes through `transition`, checked against src/jobs/state.ts
 * and applied only from the expected status (and holder, when given), advancing the job's event
 * counter in the same step; leases are `heartbeatAt` on the injected clock. Each call is atomic, as
 * a transaction is; `hooks` open the windows between a call's read and its write. Returned records
 * are copies: nothing outside changes a stored job but these methods.
 */
export class MemoryQueue implements JobQueue, RunLog {
  /** Mutable: a test may set or clear hooks between the phases of a race. */
  hooks: MemoryQueueHooks
  private readonly now: () => Date
  private readonly rows = new Map<string, Row>()
  private readonly runs = new Map<string, { run: RunRecord, timings: Float32Array | undefined }>()
  private failing: { count: number, message: string } = { count: 0, message: '' }

  constructor (opts: MemoryQueueOptions = {}) {
    this.now = opts.now ?? (() => new Date())
    this.hooks = opts.hooks ?? {}
  }

  /** The next `count` claims throw `message` (a locked or unreachable database, say). */
  failNextClaims (count: number, message = 'database is locked'): void {
    this.failing = { count, message }
  }

  async enqueue (job: NewJob): Promise<JobRecord> {
    if (this.rows.has(job.id)) throw new Error(`a job with id ${job.id} exists already`)
    const record: JobRecord = {
      id: job.id,
      name: job.spec.name,
      status: 'queued',
      attempt: 1,
      workloadId: job.spec.workload.id,
      specHash: job.specHash,
      spec: structuredClone(job.spec),
      tags: { ...job.spec.tags },
      warnings: [...job.warnings],
      summary: null,
      error: null,
      tasksDone: 0,
      tasksTotal: job.tasksTotal,
      createdAt: this.now(),
      startedAt: null,
      finishedAt: null,
      hostId: null,
      tokenId: job.tokenId ?? null,
      runnerId: null,
      eventSeq: 1 // job.queued
    }
    this.rows.set(job.id, { job: record, heartbeatAt: null, cancelRequestedAt: null })
    return copy(record)
  }

  async depth (): Promise<number> {
    return [...this.rows.values()].filter(r => r.job.status === 'queued').length
  }

  async claim (runner: RunnerIdentity): Promise<JobRecord | undefined> {
    if (this.failing.count > 0) {
      this.failing.count--
      throw new Error(this.failing.message)
    }
    // Read, then take with a conditional transition, as PrismaStore.claimNextJob does: another
    // process may change a candidate in between, and then the transition loses.
    const candidates = this.sorted()
      .filter(r => r.job.status === 'queued' && r.job.spec.runtimes.every(rt => runner.runtimes.includes(rt)))
      .map(r => r.job.id)
    await this.hooks.beforeClaim?.(candidates)
    let claimed: JobRecord | undefined
    for (const id of candidates) {
      claimed = this.transition(id, { from: 'queued', to: 'running', holder: runner.runnerId, patch: { hostId: runner.hostId, startedAt: this.now() } })
      if (claimed !== undefined) break
    }
    await this.hooks.afterClaim?.(claimed)
    return claimed
  }

  async heartbeat (jobId: string, runnerId: string): Promise<Lease> {
    const row = this.heldBy(jobId, runnerId)
    if (row !== undefined) row.heartbeatAt = this.now()
    const lease = { held: row !== undefined, cancelRequested: row?.cancelRequestedAt != null }
    this.hooks.onHeartbeat?.(jobId, lease)
    return lease
  }

  async progress (jobId: string, runnerId: string, fields: { tasksDone?: number, warnings?: string[] }): Promise<boolean> {
    const row = this.heldBy(jobId, runnerId)
    if (row === undefined) return false
    if (fields.tasksDone !== undefined) row.job.tasksDone = fields.tasksDone
    if (fields.warnings !== undefined) row.job.warnings = [...fields.warnings]
    return true
  }

  async finish (jobId: string, runnerId: string, status: FinalStatus, fields: FinishFields): Promise<JobRecord | undefined> {
    return await finishHeld(async t => this.transition(jobId, t), jobId, runnerId, status, fields)
  }

  async cancelQueued (jobId: string): Promise<JobRecord | undefined> {
    return this.transition(jobId, { from: 'queued', to: 'cancelled', patch: { error: 'cancelled before it started' } })
  }

  async requestCancel (jobId: string): Promise<boolean> {
    const row = this.rows.get(jobId)
    if (row?.job.status !== 'running') return false
    row.cancelRequestedAt = this.now()
    return true
  }

  async held (by: { runnerId?: string, staleBefore?: Date }): Promise<JobRecord[]> {
    if (by.runnerId === undefined && by.staleBefore === undefined) return []
    const stale = (r: Row): boolean => by.staleBefore !== undefined && (r.heartbeatAt === null || r.heartbeatAt < by.staleBefore)
    const jobs = this.sorted()
      .filter(r => r.job.status === 'running' && ((by.runnerId !== undefined && r.job.runnerId === by.runnerId) || stale(r)))
      .map(r => copy(r.job))
    await this.hooks.afterHeld?.(jobs)
    return jobs
  }

  async release (job: JobRecord, to: Extract<JobStatus, 'interrupted' | 'queued'>, error: string, staleBefore?: Date): Promise<JobRecord | undefined> {
    return this.transition(job.id, { from: 'running', to, runnerId: job.runnerId ?? undefined, staleBefore, patch: { error } })
  }

  async nextSeq (jobId: string, holder?: string): Promise<number | undefined> {
    const row = holder === undefined ? this.row(jobId) : this.heldBy(jobId, holder)
    return row === undefined ? undefined : ++row.job.eventSeq
  }

  /** False (nothing stored) when `runnerId` is given and no longer holds the job. */
  async insertRun (run: RunRecord, timings: Float32Array | undefined, runnerId?: string): Promise<boolean> {
    const row = runnerId === undefined ? this.rows.get(run.jobId) : this.heldBy(run.jobId, runnerId)
    if (row === undefined) return false
    // A stored run renews the lease, as in PrismaStore.insertRun.
    row.heartbeatAt = this.now()
    this.runs.set(run.id, { run: { ...run }, timings: timings === undefined ? undefined : Float32Array.from(timings) })
    return true
  }

  async listRuns (jobId: string): Promise<RunRecord[]> {
    const attempt = this.rows.get(jobId)?.job.attempt
    return [...this.runs.values()]
      .filter(r => r.run.jobId === jobId && r.run.attempt === attempt)
      .sort((a, b) => a.run.startedAt.getTime() - b.run.startedAt.getTime())
      .map(r => ({ ...r.run }))
  }

  async getTimings (runId: string): Promise<Float32Array | undefined> {
    const t = this.runs.get(runId)?.timings
    return t === undefined ? undefined : Float32Array.from(t)
  }

  async getJob (id: string): Promise<JobRecord | undefined> {
    const row = this.rows.get(id)
    return row === undefined ? undefined : copy(row.job)
  }

  /**
   * The one conditional status change, as PrismaStore.transitionJob: throws TransitionError for a
   * move the table forbids; applies `to` and `patch` only if the job is in `from` (and held by
   * `runnerId`, when given), advancing its event counter; undefined when it lost a race.
   */
  transition (id: string, t: JobTransition): JobRecord | undefined {
    assertTransition(t.from, t.to)
    const row = this.rows.get(id)
    if (row === undefined || row.job.status !== t.from) return undefined
    if (t.runnerId !== undefined && row.job.runnerId !== t.runnerId) return undefined
    if (t.noCancelRequest === true && row.cancelRequestedAt !== null) return undefined
    if (t.staleBefore !== undefined && row.heartbeatAt !== null && row.heartbeatAt >= t.staleBefore) return undefined
    const now = this.now()
    const { summary, warnings, ...rest } = t.patch ?? {}
    const job = row.job
    Object.assign(job, rest)
    if (summary !== undefined) job.summary = structuredClone(summary)
    if (warnings !== undefined) job.warnings = [...warnings]
    job.status = t.to
    job.eventSeq++
    if (t.to === 'running') {
      job.runnerId = t.holder ?? null
      row.heartbeatAt = now
      row.cancelRequestedAt = null
    }
    if (t.to === 'queued') {
      job.attempt++
      job.startedAt = null
      job.runnerId = null
      row.heartbeatAt = null
      row.cancelRequestedAt = null
    }
    if (isFinal(t.to)) job.finishedAt = rest.finishedAt ?? now
    return copy(job)
  }

  private sorted (): Row[] {
    // Ids sort by creation time (src/store/ids.ts): the store claims and lists in id order.
    return [...this.rows.values()].sort((a, b) => a.job.id < b.job.id ? -1 : a.job.id > b.job.id ? 1 : 0)
  }

  private row (id: string): Row {
    const row = this.rows.get(id)
    if (row === undefined) throw new Error(`no job ${id}`)
    return row
  }

  private heldBy (jobId: string, runnerId: string): Row | undefined {
    const row = this.rows.get(jobId)
    return row?.job.status === 'running' && row.job.runnerId === runnerId ? row : undefined
  }
}

function copy (job: JobRecord): JobRecord {
  return structuredClone(job)
}
