// The one message protocol between the coordinator and every worker thread or child process.
// Errors cross the boundary as plain data, never as Error objects (jest-worker's rule): structured
// clone and JSON would both lose their class and, for JSON, their message.

export interface TaskMessage {
  type: 'task'
  index: number
  workload: string
  params: Record<string, unknown>
  httpBase?: string
}

/** For the single-thread executors: run tasks [0, count) one after another or all at once. */
export interface BatchMessage {
  type: 'batch'
  mode: 'serial' | 'concurrent'
  count: number
  workload: string
  params: Record<string, unknown>
  httpBase?: string
}

export interface SerializedError {
  name: string
  message: string
  code?: string
}

export interface ResultMessage {
  type: 'result'
  index: number
  checksum?: string
  error?: SerializedError
  /** Epoch ms (timeOrigin + now) in the worker when the task started and ended. */
  startedAt: number
  endedAt: number
  /** The task's span on the worker's own monotonic clock, at its full precision (see runTask). */
  runMs: number
}

/** Child processes only: their own resource usage, and their private shared-counter memory. */
export interface StatsRequest { type: 'stats', resetShared: boolean }
export interface StatsReply {
  type: 'stats'
  cpuUserUs: number
  cpuSystemUs: number
  maxRssBytes: number
  shared: number
  /** The child's main thread's own CPU so far (ns, thread-self schedstat): its tasks without its GC and watchdog threads; null off Linux. */
  threadCpuNs: number | null
}

export interface ReadyMessage { type: 'ready' }

/** Times the canary (canary.ts) on the thread that gets it, between runs. */
export interface CanaryRequest { type: 'canary' }
export interface CanaryReply { type: 'canary', ms: number }

/** A worker thread's answer to 'ping': its /proc directory (threadProcDir), for reading its CPU from outside. */
export interface PongMessage { type: 'pong', thread?: string }

export type ToWorker = TaskMessage | BatchMessage | StatsRequest | CanaryRequest | { type: 'ping' }
export type FromWorker = ResultMessage | StatsReply | ReadyMessage | PongMessage | CanaryReply

export function serializeError (err: unknown): SerializedError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) }
  }
  return { name: 'Error', message: String(err) }
}

/** The clock every side stamps with: comparable across threads and processes on one machine. */
export function now (): number {
  return performance.timeOrigin + performance.now()
}

const RESULT_BASE_BYTES = JSON.stringify({ type: 'result', index: 0, checksum: '', startedAt: 1.7e12 + 0.123456, endedAt: 1.7e12 + 0.123456, runMs: 0.123456789012345 }).length - 1

/** JSON size of a result message, without stringifying it again on the hot path. */
export function resultBytes (m: ResultMessage): number {
  return RESULT_BASE_BYTES + (m.checksum?.length ?? 64) + String(m.index).length
}

/**
 * One task's message, built as a literal: on Node 20 `{ ...base, index }` costs ~0.6 µs per task and
 * makes the copy ~3× slower to JSON.stringify, on the per-task hot path (bench/dispatch.ts).
 */
export function taskMessage (index: number, plan: { workload: string, params: Record<string, unknown>, httpBase?: string }): TaskMessage {
  return { type: 'task', index, workload: plan.workload, params: plan.params, httpBase: plan.httpBase }
}

export function jsonBytes (value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value))
}
