import type { ExecutorKind } from '../schemas/vocabulary.js'

export { EXECUTOR_KINDS, type ExecutorKind } from '../schemas/vocabulary.js'

/** What one run executes: `tasks` calls of one workload with already-resolved params. */
export interface RunPlan {
  workload: string
  /** Params as returned by `resolveParams` (defaults filled, validated). */
  params: Record<string, unknown>
  tasks: number
  /** Base URL of the loopback delay endpoint, for `http-get`. */
  httpBase?: string
}

export interface RunControl {
  /** Aborting fails the run promptly with COREBENCH_ERR_CANCELLED and terminates what is running. */
  signal?: AbortSignal
  /** A task running longer than this is killed (worker terminated, child SIGKILLed) and fails the run. */
  taskTimeoutMs: number
  /** Called on the caller's thread once per finished task, in completion order. */
  onTaskDone?: (done: number, total: number) => void
}

/**
 * Per-task timestamps on one clock (`performance.timeOrigin + performance.now()`, epoch ms stepping
 * by 2^-12 ms), indexed by task index, so threads and processes can be compared; and each task's
 * own span, measured inside the thread that ran it on that thread's monotonic clock.
 */
export interface TaskTimes {
  dispatchedAt: Float64Array
  startedAt: Float64Array
  endedAt: Float64Array
  receivedAt: Float64Array
  runMs: Float64Array
}

/** What an executor reports for one successful run; measureRun turns it into metrics. */
export interface ExecutorRunResult {
  checksums: string[]
  times: TaskTimes
  /** From the first dispatch to the last result received, epoch ms. */
  startedAt: number
  endedAt: number
  /** CPU used by child processes during the run (µs); the caller's own process is measured by the caller. */
  childCpuUserUs: number
  childCpuSystemUs: number
  /** Sum over children of their peak RSS (bytes). */
  childPeakRssBytes: number
  /**
   * CPU (ms) of the threads that ran the tasks, over the run: each worker thread's own (the
   * `/proc/<pid>/task/<tid>/schedstat` of every worker, read by the coordinator right before the
   * first dispatch and right after the last result), or each child's main thread's (read in the
   * child). Null where /proc cannot say (not Linux) or a worker could not be read.
   */
  taskCpuMs: number | null
  /** JSON-encoded size of task and result messages (exact for JSON IPC, an estimate for structured clone). */
  bytesToWorkers: number
  bytesFromWorkers: number
  /** For shared-memory workloads: the counter summed over every memory space, and how many there were. */
  shared?: { arrived: number, memorySpaces: number }
}

/**
 * One concurrency model. Lifecycle: `start()` once (creates and warms the pool, sets `startupMs`),
 * any number of sequential `run()`s, then `close()` (drain, exit) or `destroy()` (terminate now).
 * A failed run rejects with an ExecutorError after the pool has been rebuilt, so the executor stays
 * usable. Runs never overlap.
 */
export interface Executor {
  readonly kind: ExecutorKind
  readonly workers: number
  /** How tasks and results cross the boundary (`structured-clone`, `json`). */
  readonly serialization: string
  /** Milliseconds the last `start()` (or rebuild) took to create and warm the pool. */
  readonly startupMs: number
  start(): Promise<void>
  run(plan: RunPlan, control: RunControl): Promise<ExecutorRunResult>
  /**
   * Times the canary (canary.ts) on each thread that runs tasks (each worker thread, each child's
   * main thread), one after another; ms, one reading per thread. Call it between runs, never during
   * one: it starts the pool if it is not running, and rejects with an ExecutorError if a thread is
   * lost meanwhile (the next run or canary starts a new pool).
   */
  canary(): Promise<number[]>
  close(): Promise<void>
  destroy(): Promise<void>
}

export interface ExecutorOptions {
  /** Heap cap per worker thread (`resourceLimits.maxOldGenerationSizeMb`) and child (`--max-old-space-size`). */
  maxOldGenerationSizeMb?: number
  /** Largest `tasks` a run may have (sizes the shared start-stamp buffer). */
  maxTasks?: number
  /** Directory for workloads' temporary files. */
  tmpDir?: string
  /**
   * The workload this pool's runs will run: every worker and child imports its module while the pool
   * starts, so that the load is start-up (`startupMs`), never part of a measured run's wall time.
   * Without it the first task of each worker loads it (under tsx: a TypeScript compile, ~100 ms).
   */
  workload?: string
  /**
   * For a package workload (WORKLOADS): the absolute path of its module, as the runner resolved and
   * checked it at start. Every worker and child may load `workload` from this file and no other.
   */
  workloadModule?: string
}
