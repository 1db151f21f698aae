import { getWorkload } from '../workloads/index.js'
import type { TaskContext } from '../workloads/types.js'
import { now, serializeError, type ResultMessage } from './protocol.js'

/** What a worker or child provides to every task it runs. */
export interface WorkerEnv {
  tmpDir: string
  /** Shared-counter memory of this memory space. */
  shared: Int32Array
  /** Start stamp per task index, read by the coordinator's timeout watchdog (threads only). */
  startStamps?: Float64Array
}

/** Runs one task inside a worker or child; never throws (failures become result data). */
export async function runTask (index: number, workloadId: string, params: Record<string, unknown>, httpBase: string | undefined, env: WorkerEnv): Promise<ResultMessage> {
  const startedAt = now()
  if (env.startStamps !== undefined) env.startStamps[index] = startedAt
  try {
    const workload = getWorkload(workloadId)
    if (workload === undefined) throw new Error(`unknown workload ${workloadId}`)
    const ctx: TaskContext = { index, tmpDir: env.tmpDir, httpBase, ...(workload.sharedMemory === true ? { shared: env.shared } : {}) }
    const out = await workload.run(params as never, ctx)
    return { type: 'result', index, checksum: out.checksum, startedAt, endedAt: now() }
  } catch (err) {
    return { type: 'result', index, error: serializeError(err), startedAt, endedAt: now() }
  }
}
