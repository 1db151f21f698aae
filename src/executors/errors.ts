/** Why a run failed. `code` is stable; `task` names the task when one task caused it. */
export class ExecutorError extends Error {
  override name = 'ExecutorError'
  constructor (readonly code: ExecutorErrorCode, message: string, readonly task?: number, options?: { cause?: unknown }) {
    super(message, options)
  }
}

export type ExecutorErrorCode =
  | 'COREBENCH_ERR_TASK_FAILED' // the workload threw
  | 'COREBENCH_ERR_TASK_TIMEOUT' // a task ran past taskTimeoutMs and was killed
  | 'COREBENCH_ERR_WORKER_EXITED' // a worker thread or child process died (crash, out of memory, killed)
  | 'COREBENCH_ERR_CANCELLED' // the run's AbortSignal fired
  | 'COREBENCH_ERR_EXECUTOR_STATE' // misuse: run before start, overlapping runs, run after close
  | 'COREBENCH_ERR_HARNESS_PROTOCOL' // an out-of-process runtime harness (Python) broke its line protocol or refused its plan
  | 'COREBENCH_ERR_RUNTIME_UNAVAILABLE' // a runtime's interpreter or harness could not be started (not installed, not executable)

export function timeoutError (task: number, limitMs: number, how: string): ExecutorError {
  return new ExecutorError('COREBENCH_ERR_TASK_TIMEOUT', `task ${task} ran longer than the task timeout of ${limitMs} ms; ${how}`, task)
}

export function cancelledError (): ExecutorError {
  return new ExecutorError('COREBENCH_ERR_CANCELLED', 'the run was cancelled')
}
