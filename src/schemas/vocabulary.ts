// The words of the API, written once. This module imports nothing: the dashboard bundle, the CLI and
// the server's schemas all read their statuses, events, executors, runtimes and metrics from here, so
// that a new word is added in one place and the browser bundle loads no server code with it.

/** Every status a job can have (src/store/state.ts says which may follow which). */
export const JOB_STATUSES = ['queued', 'running', 'finished', 'failed', 'cancelled', 'interrupted'] as const
export type JobStatus = typeof JOB_STATUSES[number]

/** The statuses a job never leaves. */
export const FINAL_STATUSES = ['finished', 'failed', 'cancelled', 'interrupted'] as const satisfies readonly JobStatus[]
export type FinalStatus = typeof FINAL_STATUSES[number]

export function isFinalStatus (status: string): status is FinalStatus {
  return (FINAL_STATUSES as readonly string[]).includes(status)
}

/** The event that ends a job, per final status: a job stream closes normally right after it. */
export const FINAL_EVENT = {
  finished: 'job.finished',
  failed: 'job.failed',
  cancelled: 'job.cancelled',
  interrupted: 'job.interrupted'
} as const satisfies Record<FinalStatus, `job.${FinalStatus}`>
export type FinalEvent = typeof FINAL_EVENT[FinalStatus]

export const FINAL_EVENTS = Object.values(FINAL_EVENT) as readonly FinalEvent[]

/** Every event a job goes through, in lifecycle order (README "Streams"). */
export const JOB_EVENTS = ['job.queued', 'job.started', 'run.started', 'progress', 'run.finished', ...FINAL_EVENTS] as const
export type JobEventType = typeof JOB_EVENTS[number]

export function isFinalEvent (type: string): type is FinalEvent {
  return (FINAL_EVENTS as readonly string[]).includes(type)
}

/** How the tasks of a run are executed (DESIGN.md §1). */
export const EXECUTOR_KINDS = ['serialized', 'async', 'threaded', 'process'] as const
export type ExecutorKind = typeof EXECUTOR_KINDS[number]

/**
 * The language the tasks run in. `node` is the runner's own; `python` runs the harness in python/
 * under a GIL build, `python-nogil` under a free-threaded one. In display and cell order.
 */
export const RUNTIME_IDS = ['node', 'python', 'python-nogil'] as const
export type RuntimeId = typeof RUNTIME_IDS[number]

/** The per-cell summary figures GET /api/history can follow over time. */
export const METRICS = ['medianWallMs', 'speedup', 'efficiency', 'busyCores', 'throughput', 'startupMs', 'medianColdWallMs', 'cv'] as const
export type Metric = typeof METRICS[number]
