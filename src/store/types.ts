import type { HostFingerprint } from '../host/fingerprint.js'
import type { SharedCounterResult } from '../measure/measure-run.js'
import type { JobSpec } from '../schemas/job.js'

export const JOB_STATUSES = ['queued', 'running', 'finished', 'failed', 'cancelled', 'interrupted'] as const
export type JobStatus = typeof JOB_STATUSES[number]
export const FINAL_STATUSES: readonly JobStatus[] = ['finished', 'failed', 'cancelled', 'interrupted']

export interface JobRecord {
  id: string
  name: string
  status: JobStatus
  workloadId: string
  specHash: string
  spec: JobSpec
  tags: Record<string, string>
  warnings: string[]
  summary: unknown
  error: string | null
  tasksDone: number
  tasksTotal: number
  createdAt: Date
  startedAt: Date | null
  finishedAt: Date | null
  hostId: string | null
  tokenId: string | null
}

export interface RunRecord {
  id: string
  jobId: string
  runtime: string
  executor: string
  workers: number
  repetition: number
  ok: boolean
  error: string | null
  tasks: number
  wallMs: number
  startupMs: number
  coldWallMs: number
  cpuUserMs: number
  cpuSystemMs: number
  parallelism: number
  peakRssBytes: number
  loopDelayP50Ms: number
  loopDelayP99Ms: number
  loopDelayMaxMs: number
  bytesToWorkers: number
  bytesFromWorkers: number
  serialization: string | null
  checksum: string | null
  verified: boolean | null
  shared: SharedCounterResult | null
  startedAt: Date
  finishedAt: Date
}

export interface NewJob {
  id: string
  spec: JobSpec
  specHash: string
  warnings: string[]
  tasksTotal: number
  tokenId?: string
}

export interface JobFilter {
  status?: JobStatus
  workload?: string
  /** `key:value` */
  tag?: { key: string, value: string }
  host?: string
  specHash?: string
  /** Only jobs with an id below this one (ids sort by creation time). */
  before?: string
  limit: number
}

export type JobPatch = Partial<Pick<JobRecord, 'status' | 'error' | 'summary' | 'tasksDone' | 'startedAt' | 'finishedAt' | 'hostId' | 'warnings'>>

/**
 * Persistence behind one interface: nothing outside src/store knows which database is in use.
 * Implementations: PrismaStore (SQLite by default).
 */
export interface Store {
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>
  /** Records a host once per distinct fingerprint and refreshes its lastSeenAt. */
  upsertHost(host: HostFingerprint): Promise<void>
  countHosts(): Promise<number>

  createJob(job: NewJob): Promise<JobRecord>
  getJob(id: string): Promise<JobRecord | undefined>
  listJobs(filter: JobFilter): Promise<JobRecord[]>
  countJobs(status: JobStatus): Promise<number>
  updateJob(id: string, patch: JobPatch): Promise<void>
  /** Deletes a job and its runs; false when there was no such job. */
  deleteJob(id: string): Promise<boolean>
  /**
   * Atomically moves the oldest queued job to `running` on this host and returns it.
   * Undefined when nothing is queued.
   */
  claimNextJob(hostId: string): Promise<JobRecord | undefined>
  /** Jobs a crash left `running` become `interrupted` (or `queued` again); returns their ids. */
  recoverRunningJobs(requeue: boolean): Promise<string[]>

  /** Stores one run and its per-task timings (the run and its first 16 384 tasks' timings in one transaction, the rest of a large run's after it). */
  insertRun(run: RunRecord, timings: Float32Array | undefined): Promise<void>
  listRuns(jobId: string): Promise<RunRecord[]>
  /** Per-task (queueMs, runMs, returnMs) triples of a run, or undefined. */
  getTimings(runId: string): Promise<Float32Array | undefined>

  /** Runs of many jobs at once, for history: only the given cell, recorded and successful. */
  listCellRuns(jobIds: string[], cell: { runtime: string, executor: string, workers: number }): Promise<RunRecord[]>

  setBaseline(specHash: string, jobId: string): Promise<Baseline>
  getBaseline(specHash: string): Promise<Baseline | undefined>
  listBaselines(): Promise<Baseline[]>

  createToken(id: string, name: string, hash: string): Promise<ApiToken>
  /** The active (not revoked) token with this digest. */
  findToken(hash: string): Promise<ApiToken | undefined>
  listTokens(): Promise<ApiToken[]>
  /** Revokes every active token with this name; returns how many. */
  revokeToken(name: string): Promise<number>
  countActiveTokens(): Promise<number>

  close(): Promise<void>
}

export interface ApiToken {
  id: string
  name: string
  hash: string
  createdAt: Date
  lastUsedAt: Date | null
  revokedAt: Date | null
}

export interface Baseline {
  specHash: string
  jobId: string
  createdAt: Date
}
