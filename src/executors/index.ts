import { AsyncExecutor } from './async.js'
import { ProcessExecutor } from './process.js'
import { SerializedExecutor } from './serialized.js'
import { ThreadedExecutor } from './threaded.js'
import type { Executor, ExecutorKind, ExecutorOptions } from './types.js'

export { ExecutorError, type ExecutorErrorCode } from './errors.js'
export { EXECUTOR_KINDS, type Executor, type ExecutorKind, type ExecutorOptions, type ExecutorRunResult, type RunControl, type RunPlan, type TaskTimes } from './types.js'

/** `serialized` and `async` always use one thread; `workers` applies to the pools. */
export function createExecutor (kind: ExecutorKind, workers: number, opts: ExecutorOptions = {}): Executor {
  switch (kind) {
    case 'serialized': return new SerializedExecutor(opts)
    case 'async': return new AsyncExecutor(opts)
    case 'threaded': return new ThreadedExecutor(workers, opts)
    case 'process': return new ProcessExecutor(workers, opts)
  }
}
