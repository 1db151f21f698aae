import type { HostFingerprint } from '../host/fingerprint.js'
import type { SharedCounterResult } from '../measure/measure-run.js'
import type { JobSpec } from '../schemas/job.js'
import type { RunError } from '../schemas/job-view.js'

import type { JobStatus } from '../schemas/vocabulary.js'
import type { JobVersions, RunnerWorkloads } from '../schemas/workload.js'

export { FINAL_STATUSES, JOB_STATUSES, type JobStatus } from '../schemas/vocabulary.js'

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
  /** The runner process that holds (running) or last held the job. */
  runnerId: string | null
  /** The job's event counter: the seq of the last event published for it. */
  eventSeq: number
  /** 1, and one more each time the job is re-queued after losing its runner; its runs carry it. */
  attempt: number
  /** The versions it ran with (workload, Node, Python, corebench), written when a runner starts it; null before. */
  versions: JobVersions | null
}

export interface RunRecord {
  id: string
  jobId: string
  runtime: string
  executor: string
  workers: number
  /** 0-based fork (fresh pool) of the cell. */
  fork: number
  /** A failed warm-up run of the fork (warm-ups are stored only when they fail): not a measurement. */
  warmup: boolean
  /** The job's attempt this run belongs to. */
  attempt: number
  ok: boolean
  /** Why it failed (stored as the errorCode and errorMessage columns); null when ok. */
  error: RunError | null
  tasks: number
  wallMs: number
  startupMs: number
  coldWallMs: number
  cpuUserMs: number
  cpuSystemMs: number
  /** CPU (ms) of the threads that ran tasks (RunMetrics.taskCpuMs); null when unknown (not Linux, Python, failed runs, runs stored before it). */
  taskCpuMs: number | null
  /** CPU (ms) of the coordinator thread over the run (RunMetrics.coordinatorCpuMs); null as taskCpuMs. */
  coordinatorCpuMs: number | null
  busyCores: number
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
  /** Disturbance of the run (src/measure/disturbance.ts, Disturbance); null where not measured: failed runs, Python runs, runs stored before it. */
  foreignCpu: number | null
  steal: number | null
  involuntarySwitches: number | null
  canaryBeforeMs: number | null
  canaryAfterMs: number | null
  canaryDrift: number | null
  /** Past a DISTURBED_* threshold: kept and listed, but a later try of its fork (redo) replaces it in the statistics. */
  disturbed: boolean
  /** Which thresholds it passed; null when it is not disturbed. */
  disturbedBy: string | null
  /** 0 for the fork's first try, n for its n-th redo. */
  redo: number
  startedAt: Date
  finishedAt: Date
}

/** The disturbance fields of a run that measured none and was not redone (failed runs, fixtures). */
export const UNMEASURED_DISTURBANCE: Pick<RunRecord, 'foreignCpu' | 'steal' | 'involuntarySwitches' | 'canaryBeforeMs' | 'canaryAfterMs' | 'canaryDrift' | 'disturbed' | 'disturbedBy' | 'redo'> = {
  foreignCpu: null, steal: null, involuntarySwitches: null, canaryBeforeMs: null, canaryAfterMs: null, canaryDrift: null, disturbed: false, disturbedBy: null, redo: 0
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

export type JobPatch = Partial<Pick<JobRecord, 'error' | 'summary' | 'tasksDone' | 'startedAt' | 'finishedAt' | 'hostId' | 'warnings'>>

/** Hosts (one row per distinct fingerprint) and the machines that runners hold. */
export interface HostStore {
  /** Records a host once per distinct fingerprint and refreshes its lastSeenAt. */
  upsertHost(host: HostFingerprint): Promise<void>
  /** The fingerprint stored under this id (job.hostId), or undefined. */
  getHost(id: string): Promise<HostFingerprint | undefined>
  countHosts(): Promise<number>
  /**
   * Takes this machine for a runner: succeeds when no runner holds it or when `holderGone` says the
   * holder is dead; otherwise returns the live holder. A compare-and-swap on the machine's row.
   */
  claimMachine(claim: MachineClaim, holderGone: (holder: MachineClaim) => boolean): Promise<{ ok: true } | { ok: false, holder: MachineClaim }>
  /** Refreshes the claim; false when another runner has taken the machine. */
  heartbeatMachine(machineId: string, runnerId: string): Promise<boolean>
  /** Marks the claim released (kept, for GET /api/runners); only by the runner that holds it. */
  releaseMachine(machineId: string, runnerId: string): Promise<void>
  /** Every machine claim, held or released, by name. */
  listMachines(): Promise<MachineClaim[]>
}

/** Jobs and their queue: every status change is a conditional transition (src/store/state.ts). */
export interface JobStore {
  createJob(job: NewJob): Promise<JobRecord>
  getJob(id: string): Promise<JobRecord | undefined>
  listJobs(filter: JobFilter): Promise<JobRecord[]>
  countJobs(status: JobStatus): Promise<number>
  updateJob(id: string, patch: JobPatch): Promise<void>
  /** Deletes a job and its runs; false when there was no such job. */
  deleteJob(id: string): Promise<boolean>
  /**
   * Moves the oldest queued job whose runtimes are all in `runtimes` to `running`, held by this
   * runner on this host (a conditional update: of several runners only one wins), and returns it
   * with its event counter advanced for `job.started`. Undefined when nothing matches.
   */
  claimNextJob(claim: { runnerId: string, hostId: string, runtimes: readonly string[] }): Promise<JobRecord | undefined>
  /**
   * The one conditional status change (see src/store/state.ts): applies `to` and `patch` only if the
   * job is in `from` (and held by `runnerId`, when given), advancing its event counter in the same
   * write. Returns the job as changed, or undefined when the transition lost a race. Throws
   * TransitionError for a move that src/store/state.ts forbids.
   */
  transitionJob(id: string, t: JobTransition): Promise<JobRecord | undefined>
  /** Refreshes a running job's lease if this runner still holds it; says whether a cancel was asked. */
  heartbeatJob(id: string, runnerId: string): Promise<{ held: boolean, cancelRequested: boolean }>
  /** Records a cancel request on a running job; false when it is not running. */
  requestCancel(id: string): Promise<boolean>
  /**
   * Advances the job's event counter and returns the new value (the seq of the event to publish);
   * undefined when there is no such job or, with `runnerId`, when that runner does not hold it
   * (its events are stale).
   */
  nextEventSeq(id: string, runnerId?: string): Promise<number | undefined>
  /** Running jobs held by this runner, or whose lease is older than `staleBefore`. */
  heldJobs(by: { runnerId?: string, staleBefore?: Date }): Promise<JobRecord[]>
  /** Progress of a running job this runner holds; false when it no longer holds it. */
  updateHeldJob(id: string, runnerId: string, patch: Pick<JobPatch, 'tasksDone' | 'warnings'>): Promise<boolean>
  /** Records the versions a running job runs with (once per attempt, at its start); false when this runner does not hold it. */
  setJobVersions(id: string, runnerId: string, versions: JobVersions): Promise<boolean>
}

/** The runs of jobs and their per-task timings. */
export interface RunStore {
  /**
   * Stores one run and its per-task timings (the run and its first 16 384 tasks' timings in one
   * transaction, the rest of a large run's after it), renewing the job's lease. With `runnerId`,
   * only while that runner still holds the job (false otherwise, and nothing is stored): late
   * results of a runner whose job was recovered are refused.
   */
  insertRun(run: RunRecord, timings: Float32Array | undefined, runnerId?: string): Promise<boolean>
  /** The runs of the job's current attempt in start order (those of attempts a re-queue left behind stay stored, apart). */
  listRuns(jobId: string): Promise<RunRecord[]>
  /** Per-task (queueMs, runMs, returnMs) triples of a run, or undefined. */
  getTimings(runId: string): Promise<Float32Array | undefined>
}

/** Reads across jobs for history and comparisons, and the baselines they compare against. */
export interface HistoryStore {
  /** Runs of many jobs at once, for history: only the given cell, recorded and successful. */
  listCellRuns(jobIds: string[], cell: { runtime: string, executor: string, workers: number }): Promise<RunRecord[]>
  setBaseline(specHash: string, jobId: string): Promise<Baseline>
  getBaseline(specHash: string): Promise<Baseline | undefined>
  listBaselines(): Promise<Baseline[]>
}

/** API tokens, stored as digests. */
export interface TokenStore {
  createToken(id: string, name: string, hash: string): Promise<ApiToken>
  /** The active (not revoked) token with this digest. */
  findToken(hash: string): Promise<ApiToken | undefined>
  listTokens(): Promise<ApiToken[]>
  /** Revokes every active token with this name; returns how many. */
  revokeToken(name: string): Promise<number>
  countActiveTokens(): Promise<number>
}

/**
 * Persistence, one interface per aggregate: nothing outside src/store knows which database is in
 * use, and a part of the program takes only the aggregates it uses (the runner: RunnerStore).
 * Implementations: createPrismaStore (SQLite by default), MemoryStore (unit tests).
 */
export interface Store extends HostStore, JobStore, RunStore, HistoryStore, TokenStore {
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>
  close(): Promise<void>
}

/** What a runner process uses: the job queue, the runs it stores, its host and machine claim. */
export type RunnerStore = JobStore & RunStore & HostStore

export interface JobTransition {
  from: JobStatus
  to: JobStatus
  /** Only if this runner holds the job. */
  runnerId?: string
  /** On a move to `running`: the runner that takes the job. */
  holder?: string
  /** Only if nobody asked to cancel the job (a requested cancel must win over finishing). */
  noCancelRequest?: boolean
  /** Only if its lease is older than this (a runner that renewed it meanwhile keeps its job). */
  staleBefore?: Date
  patch?: JobPatch
}

export interface MachineClaim {
  machineId: string
  runnerId: string
  name: string
  pid: number
  hostId: string
  /** RUNNER_LABELS of the runner, for routing and GET /api/runners. */
  labels: string[]
  /** Runtime ids the runner can run (the available ones it found at start). */
  runtimes: string[]
  /** The workloads it loaded at start (built-in and from WORKLOADS) and those it could not load. */
  workloads: RunnerWorkloads
  startedAt: Date
  heartbeatAt: Date
  /** When its runner stopped cleanly (the machine is free again); null while held. */
  releasedAt: Date | null
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
