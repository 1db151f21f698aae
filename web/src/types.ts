// The API's shapes as the dashboard reads them (src/schemas/job-view.ts, src/stats/summary.ts,
// src/stats/compare-jobs.ts, src/api/history.ts). Kept here so that the browser bundle imports no
// server code.

export const STATUSES = ['queued', 'running', 'finished', 'failed', 'cancelled', 'interrupted'] as const
export type JobStatus = typeof STATUSES[number]
export const FINAL: readonly string[] = ['finished', 'failed', 'cancelled', 'interrupted']
export const EXECUTORS = ['serialized', 'async', 'threaded', 'process'] as const
export type Executor = typeof EXECUTORS[number]
/** In the server's order (src/jobs/spec.ts RUNTIME_ORDER): cells, tables and charts follow it. */
export const RUNTIMES = ['node', 'python', 'python-nogil'] as const
export type RuntimeId = typeof RUNTIMES[number]

export interface JobSpec {
  name: string
  workload: { id: string, params: Record<string, unknown> }
  tasks: number
  runtimes: RuntimeId[]
  executors: Executor[]
  workers: number[]
  repetitions: number
  warmup: number
  taskTimeoutMs: number
  tags: Record<string, string>
}

export type JobSubmit = Partial<Omit<JobSpec, 'workload'>> & { preset?: string, workload?: { id: string, params?: Record<string, unknown> } }

export interface LiveProgress {
  runtime: string
  executor: string
  workers: number
  fork: number
  repetition: number
  warmup: boolean
  runDone: number
  runTotal: number
}

export interface JobListItem {
  id: string
  name: string
  status: JobStatus
  workload: string
  /** Absent from servers older than the runtime axis. */
  runtimes?: string[]
  specHash: string
  tags: Record<string, string>
  warnings: string[]
  error: string | null
  progress: { tasksDone: number, tasksTotal: number, current: LiveProgress | null, cells?: Array<{ runtime: string, executor: string, workers: number, done: number, total: number }> }
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
  hostId: string | null
  links: Record<string, string>
  bestSpeedup?: { key: string, speedup: number } | null
}

export interface Run {
  id: string
  runtime: string
  executor: string
  workers: number
  repetition: number
  /** 0-based position of the run in its round (absent from older servers). */
  position?: number | null
  ok: boolean
  error: string | null
  tasks: number
  wallMs: number
  startupMs: number
  coldWallMs: number
  cpuUserMs: number
  cpuSystemMs: number
  /** CPU (ms) of the threads that ran tasks; null where not measured (see the API's Run schema). */
  taskCpuMs: number | null
  /** CPU (ms) of the coordinator thread over the run; null where not measured. */
  coordinatorCpuMs: number | null
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
  shared: { expected: number, arrived: number, lost: number, memorySpaces: number } | null
  /** Disturbance (absent from older servers; see the API's Run schema): foreign CPU in cores, canary drift, the flag and the try. */
  foreignCpu?: number | null
  canaryDrift?: number | null
  disturbed?: boolean
  disturbedBy?: string | null
  redo?: number
  startedAt: string
  finishedAt: string
}

export interface Latency { p50: number, p95: number, p99: number }

export interface CellSummary {
  key: string
  runtime: string
  executor: string
  workers: number
  runs: number
  failedRuns: number
  medianWallMs: number | null
  meanWallMs: number | null
  stdevWallMs: number | null
  minWallMs: number | null
  maxWallMs: number | null
  cv: number | null
  medianWallCi95: [number, number] | null
  ciMethod: string | null
  outlierRunIds: string[]
  outlierRule: string | null
  speedup: number | null
  speedupCi95: [number, number] | null
  efficiency: number | null
  parallelism: number | null
  /** parallelism / usable cores (absent in summaries stored before it existed). */
  busyShare?: number | null
  /** Median task run time here / in the serialized cell; null without task timings. */
  taskSlowdown?: number | null
  startupMs: number | null
  medianColdWallMs: number | null
  throughput: number | null
  verified: boolean | null
  shared: { expected: number, medianArrived: number, medianLost: number, memorySpaces: number } | null
  latency: { runMs: Latency, totalMs: Latency } | null
}

export interface ScalingSummary {
  runtime: string
  executor: string
  points: Array<{ workers: number, speedup: number | null, efficiency: number | null, throughput: number | null, karpFlatt: number | null }>
  /** Usable cores, and the largest worker count the figures speak for (absent in older summaries). */
  cores?: number
  limit?: number
  /** `ceiling`: the fitted speedup at `limit` workers (older summaries: 1/f). */
  amdahl: { serialFraction: number, serialFractionCi95?: [number, number] | null, ceiling: number, r2: number } | null
  usl: { ok: true, sigma: number, kappa: number, lambda: number, peakWorkers: number | null, peakThroughput: number | null, r2: number } | { ok: false, reason: string }
  notEnoughData?: string | null
  recommendedWorkers: number | null
}

export interface JobSummary {
  /** Absent in summaries stored before they existed. */
  cores?: number
  cpuBound?: boolean | null
  answer?: string | null
  impossible?: string[]
  cells: CellSummary[]
  scaling: ScalingSummary[]
  bestSpeedup: { key: string, speedup: number } | null
  /** Absent in summaries stored before it existed. */
  disturbance?: { disturbed: number, redos: number, counted: number, maxForeignCpu: number | null, maxRunCanaryDrift: number | null, canaryDrift: number | null }
  warnings: string[]
}

export interface JobView extends JobListItem {
  /** The job's result in plain words; null until there is a serialized reference. */
  answer: string | null
  spec: JobSpec
  runs: Run[]
  summary: JobSummary | null
}

export interface Workload {
  id: string
  kind: 'cpu' | 'io' | 'memory' | 'mixed'
  description: string
  params: { type?: string, properties?: Record<string, ParamSchema> }
  defaults: Record<string, unknown>
  sharedMemory: boolean
  /** Runtimes that run it with identical checksums; `available` says whether this host has them now. */
  runtimes: Array<{ id: string, available: boolean }>
}

export interface ParamSchema {
  type?: string
  default?: unknown
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  multipleOf?: number
  enum?: unknown[]
  anyOf?: Array<{ const?: unknown, type?: string }>
  minLength?: number
  maxLength?: number
  description?: string
  title?: string
}

export interface Preset { id: string, description: string, spec: JobSubmit }

export interface Host {
  id: string
  hostname: string
  cpuModel: string
  logicalCores: number
  availableParallelism: number
  totalMemoryMb: number
  platform: string
  arch: string
  release: string
  nodeVersion: string
  corebenchVersion: string
  runtimes: RuntimeInfo[]
}

/** GET /api/host runtimes[]: what this server found at start. */
export interface RuntimeInfo {
  id: string
  available: boolean
  /** Why it is unavailable, in words a user can act on. */
  reason: string | null
  version: string
  executable: string
  gil: boolean | null
  workloads: string[]
}

export type Verdict = 'faster' | 'slower' | 'same' | 'inconclusive'

export interface CellComparison {
  key: string
  runtime: string
  executor: string
  workers: number
  currentMedian: number | null
  baselineMedian: number | null
  changePct: number | null
  changeCi95: [number, number] | null
  pWelch: number | null
  pMannWhitney: number | null
  decidingTest: 'mann-whitney' | 'welch' | null
  verdict: Verdict
  reason: string
}

export interface JobComparison {
  job: { id: string, specHash: string, hostId: string | null, createdAt: string }
  baseline: { id: string, specHash: string, hostId: string | null, createdAt: string }
  sameSpec: boolean
  sameHost: boolean
  notes: string[]
  thresholds: { minChange: number, alpha: number, minRepetitions: number }
  cells: CellComparison[]
  verdict: Verdict | 'mixed'
}

export const METRICS = ['medianWallMs', 'speedup', 'efficiency', 'parallelism', 'throughput', 'startupMs', 'medianColdWallMs', 'cv'] as const
export type Metric = typeof METRICS[number]

export interface History {
  specHash: string
  cell: string
  metric: string
  baselineJobId: string | null
  points: Array<{ jobId: string, createdAt: string, hostId: string | null, tags: Record<string, string>, value: number | null, ci95: number[] | null, runs: number, isBaseline: boolean }>
}

export interface StreamMessage<T = unknown> {
  type: string
  jobId: string | null
  seq: number
  at: string
  data: T
  dropped?: number
}

/** What the runner reports while a run is in flight (src/jobs/events.ts Progress). */
export interface ProgressEvent {
  jobId: string
  runtime: string
  executor: string
  workers: number
  fork: number
  repetition: number
  warmup: boolean
  tasks: number
  runDone?: number
  runTotal?: number
  jobDone?: number
  jobTotal?: number
}
