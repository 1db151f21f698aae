import { allowWorkloadModule, loadedWorkload, loadWorkload } from '../workloads/modules.js'
import type { TaskContext } from '../workloads/types.js'
import { serializeError, type ResultMessage } from './protocol.js'

/** What a worker or child provides to every task it runs. */
export interface WorkerEnv {
  tmpDir: string
  /** Shared-counter memory of this memory space. */
  shared: Int32Array
  /** Start stamp per task index, read by the coordinator's timeout watchdog (threads only). */
  startStamps?: Float64Array
}

/**
 * Imports workload `id` in this thread ahead of its tasks (the pool's start-up; ExecutorOptions.workload),
 * from `module` for a package workload (ExecutorOptions.workloadModule).
 * A module that fails to load is not an error here: its first task reports it, as a task failure.
 */
export async function preloadWorkload (id: string | undefined, module?: string): Promise<void> {
  if (id === undefined || id === '') return
  if (module !== undefined && module !== '') allowWorkloadModule(id, module)
  await loadWorkload(id).catch(() => {})
}

/**
 * Runs one task inside a worker or child; never throws (failures become result data).
 * The workload's module is normally imported while the pool starts (preloadWorkload); a pool started
 * without knowing its workload imports it in the first task that needs it, before that task's clocks
 * start, so its `runMs` is the workload's alone (the load lands in that task's queue time).
 * Two clocks from one read each: `startedAt`/`endedAt` are epoch ms (timeOrigin + now), comparable
 * across threads and processes but stepping by 2^-12 ms (~0.24 µs) at that magnitude; `runMs` is
 * the difference of this thread's own performance.now() reads, at the clock's full precision.
 */
export async function runTask (index: number, workloadId: string, params: Record<string, unknown>, httpBase: string | undefined, env: WorkerEnv): Promise<ResultMessage> {
  let workload = loadedWorkload(workloadId)
  let loadError: unknown
  if (workload === undefined) {
    try {
      workload = await loadWorkload(workloadId)
    } catch (err) {
      loadError = err
    }
  }
  const t0 = performance.now()
  const startedAt = performance.timeOrigin + t0
  if (env.startStamps !== undefined) env.startStamps[index] = startedAt
  let checksum: string | undefined
  let error: ResultMessage['error']
  try {
    if (workload === undefined) throw loadError
    const ctx: TaskContext = { index, tmpDir: env.tmpDir, httpBase, ...(workload.sharedMemory === true ? { shared: env.shared } : {}) }
    // A synchronous workload's result is taken as it returns. Awaiting it anyway would stamp its
    // end only when the loop next runs microtasks: under `async`, after every other task of the
    // batch has run its CPU, which made each task's runMs ~4× its own (issue 19).
    const out = workload.run(params as never, ctx)
    checksum = (out instanceof Promise ? await out : out).checksum
  } catch (err) {
    error = serializeError(err)
  }
  const t1 = performance.now()
  const endedAt = performance.timeOrigin + t1
  // Literals, not spreads: this is the per-task hot path (see taskMessage in protocol.ts).
  return error === undefined
    ? { type: 'result', index, checksum, startedAt, endedAt, runMs: t1 - t0 }
    : { type: 'result', index, error, startedAt, endedAt, runMs: t1 - t0 }
}
