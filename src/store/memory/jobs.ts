import type { JobVersions } from '../../schemas/workload.js'
import { assertTransition, isFinal } from '../state.js'
import type { JobFilter, JobPatch, JobRecord, JobStatus, JobStore, JobTransition, NewJob } from '../types.js'

/**
 * Places where a test can hold a MemoryStore call in mid-flight (with a latch it resolves later)
 * to drive a race deterministically. Each is awaited; a hook that throws fails the call.
 */
export interface MemoryStoreHooks {
  /**
   * A claim has read the queued jobs it may take (ids oldest first, possibly none) and has not yet
   * tried to take one: the window in which another process can cancel or take them.
   */
  beforeClaim?: (candidates: readonly string[]) => Promise<void>
  /** A claim has made its transition (or found nothing) and has not yet answered. */
  afterClaim?: (job: JobRecord | undefined) => Promise<void>
  /** `heldJobs` has read the jobs and has not yet answered: the window between a recovery's read and its release. */
  afterHeld?: (jobs: readonly JobRecord[]) => Promise<void>
  /** Told of every heartbeat's answer (not awaited). */
  onHeartbeat?: (jobId: string, lease: { held: boolean, cancelRequested: boolean }) => void
}

export interface MemoryStoreOptions {
  /** The clock of leases, createdAt, startedAt and finishedAt (default: the wall clock). */
  now?: () => Date
  hooks?: MemoryStoreHooks
}

/** A stored job plus the columns JobRecord does not carry. */
export interface JobRow {
  job: JobRecord
  heartbeatAt: Date | null
  cancelRequestedAt: Date | null
}

/**
 * Jobs and their queue in memory, FOR TESTS, with the contract of the Prisma store
 * (src/store/prisma/jobs.ts; test/store/contract.test.ts runs the same cases on both): every status
 * change goes through `transition`, checked against src/store/state.ts and applied only from the
 * expected status (and holder, when given), advancing the job's event counter in the same step;
 * leases are `heartbeatAt` on the injected clock. Each call is atomic, as a transaction is; `hooks`
 * open the windows between a call's read and its write. Returned records are copies: nothing
 * outside changes a stored job but these methods.
 */
export class MemoryJobStore implements JobStore {
  /** Mutable: a test may set or clear hooks between the phases of a race. */
  hooks: MemoryStoreHooks
  protected readonly now: () => Date
  protected readonly rows = new Map<string, JobRow>()
  private failing: { count: number, message: string } = { count: 0, message: '' }

  constructor (opts: MemoryStoreOptions = {}) {
    this.now = opts.now ?? (() => new Date())
    this.hooks = opts.hooks ?? {}
  }

  /** The next `count` claims throw `message` (a locked or unreachable database, say). */
  failNextClaims (count: number, message = 'database is locked'): void {
    this.failing = { count, message }
  }

  async createJob (job: NewJob): Promise<JobRecord> {
    if (this.rows.has(job.id)) throw new Error(`a job with id ${job.id} exists already`)
    if (job.tokenId !== undefined && !this.exists('token', job.tokenId)) throw new Error(`Foreign key constraint violated: no token ${job.tokenId}`)
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
      eventSeq: 1, // job.queued
      versions: null
    }
    this.rows.set(job.id, { job: record, heartbeatAt: null, cancelRequestedAt: null })
    return copy(record)
  }

  async getJob (id: string): Promise<JobRecord | undefined> {
    const row = this.rows.get(id)
    return row === undefined ? undefined : copy(row.job)
  }

  async listJobs (f: JobFilter): Promise<JobRecord[]> {
    return this.sorted().reverse()
      .map(r => r.job)
      .filter(j => (f.status === undefined || j.status === f.status) &&
        (f.workload === undefined || j.workloadId === f.workload) &&
        (f.tag === undefined || j.tags[f.tag.key] === f.tag.value) &&
        (f.host === undefined || j.hostId === f.host) &&
        (f.specHash === undefined || j.specHash === f.specHash) &&
        (f.before === undefined || j.id < f.before))
      .slice(0, f.limit)
      .map(copy)
  }

  async countJobs (status: JobStatus): Promise<number> {
    return [...this.rows.values()].filter(r => r.job.status === status).length
  }

  async updateJob (id: string, patch: JobPatch): Promise<void> {
    const row = this.rows.get(id)
    if (row === undefined) throw new Error(`no job ${id}`)
    applyPatch(row.job, patch)
  }

  async deleteJob (id: string): Promise<boolean> {
    return this.rows.delete(id)
  }

  async claimNextJob (claim: { runnerId: string, hostId: string, runtimes: readonly string[] }): Promise<JobRecord | undefined> {
    if (this.failing.count > 0) {
      this.failing.count--
      throw new Error(this.failing.message)
    }
    // Read, then take with a conditional transition, as the Prisma store does: another process may
    // change a candidate in between, and then the transition loses.
    const candidates = this.sorted()
      .filter(r => r.job.status === 'queued' && r.job.spec.runtimes.every(rt => claim.runtimes.includes(rt)))
      .map(r => r.job.id)
    await this.hooks.beforeClaim?.(candidates)
    // A job's host is a foreign key in the database: a runner records its host before claiming.
    if (candidates.length > 0 && !this.exists('host', claim.hostId)) throw new Error(`Foreign key constraint violated: no host ${claim.hostId}`)
    let claimed: JobRecord | undefined
    for (const id of candidates) {
      claimed = this.transition(id, { from: 'queued', to: 'running', holder: claim.runnerId, patch: { hostId: claim.hostId, startedAt: this.now() } })
      if (claimed !== undefined) break
    }
    await this.hooks.afterClaim?.(claimed)
    return claimed
  }

  async transitionJob (id: string, t: JobTransition): Promise<JobRecord | undefined> {
    return this.transition(id, t)
  }

  /** transitionJob, synchronously: one step no other call can interleave with. */
  transition (id: string, t: JobTransition): JobRecord | undefined {
    assertTransition(t.from, t.to)
    const row = this.rows.get(id)
    if (row === undefined || row.job.status !== t.from) return undefined
    if (t.runnerId !== undefined && row.job.runnerId !== t.runnerId) return undefined
    if (t.noCancelRequest === true && row.cancelRequestedAt !== null) return undefined
    if (t.staleBefore !== undefined && row.heartbeatAt !== null && row.heartbeatAt >= t.staleBefore) return undefined
    const now = this.now()
    const job = row.job
    applyPatch(job, t.patch ?? {})
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
    if (isFinal(t.to)) job.finishedAt = t.patch?.finishedAt ?? now
    return copy(job)
  }

  async heartbeatJob (id: string, runnerId: string): Promise<{ held: boolean, cancelRequested: boolean }> {
    const row = this.heldBy(id, runnerId)
    if (row !== undefined) row.heartbeatAt = this.now()
    const lease = { held: row !== undefined, cancelRequested: row?.cancelRequestedAt != null }
    this.hooks.onHeartbeat?.(id, lease)
    return lease
  }

  async requestCancel (id: string): Promise<boolean> {
    const row = this.rows.get(id)
    if (row?.job.status !== 'running') return false
    row.cancelRequestedAt = this.now()
    return true
  }

  async nextEventSeq (id: string, runnerId?: string): Promise<number | undefined> {
    const row = runnerId === undefined ? this.rows.get(id) : this.heldBy(id, runnerId)
    return row === undefined ? undefined : ++row.job.eventSeq
  }

  async heldJobs (by: { runnerId?: string, staleBefore?: Date }): Promise<JobRecord[]> {
    if (by.runnerId === undefined && by.staleBefore === undefined) return []
    const stale = (r: JobRow): boolean => by.staleBefore !== undefined && (r.heartbeatAt === null || r.heartbeatAt < by.staleBefore)
    const jobs = this.sorted()
      .filter(r => r.job.status === 'running' && ((by.runnerId !== undefined && r.job.runnerId === by.runnerId) || stale(r)))
      .map(r => copy(r.job))
    await this.hooks.afterHeld?.(jobs)
    return jobs
  }

  async updateHeldJob (id: string, runnerId: string, patch: Pick<JobPatch, 'tasksDone' | 'warnings'>): Promise<boolean> {
    const row = this.heldBy(id, runnerId)
    if (row === undefined) return false
    applyPatch(row.job, patch)
    return true
  }

  async setJobVersions (id: string, runnerId: string, versions: JobVersions): Promise<boolean> {
    const row = this.heldBy(id, runnerId)
    if (row === undefined) return false
    row.job.versions = structuredClone(versions)
    return true
  }

  /** Whether a row a job refers to is stored (MemoryStore keeps hosts and tokens): the database's foreign keys. */
  protected exists (_table: 'host' | 'token', _id: string): boolean {
    return true
  }

  protected sorted (): JobRow[] {
    // Ids sort by creation time (src/store/ids.ts): the store claims and lists in id order.
    return [...this.rows.values()].sort((a, b) => a.job.id < b.job.id ? -1 : a.job.id > b.job.id ? 1 : 0)
  }

  protected heldBy (jobId: string, runnerId: string): JobRow | undefined {
    const row = this.rows.get(jobId)
    return row?.job.status === 'running' && row.job.runnerId === runnerId ? row : undefined
  }
}

/** Applies a patch with copies of its JSON-valued fields, as a database's serialisation would. */
function applyPatch (job: JobRecord, patch: JobPatch): void {
  const { summary, warnings, ...rest } = patch
  // As in Prisma, a field given as undefined is left as it is.
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) Object.assign(job, { [key]: value })
  if (summary !== undefined) job.summary = structuredClone(summary)
  if (warnings !== undefined) job.warnings = [...warnings]
}

function copy (job: JobRecord): JobRecord {
  return structuredClone(job)
}
