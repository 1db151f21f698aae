import { workerData } from 'node:worker_threads'
import { canaryMs } from '../../measure/canary.js'
import { threadProcDir } from '../thread-cpu.js'
import type { TaskMessage } from '../protocol.js'
import { preloadWorkload, runTask, type WorkerEnv } from '../task-runner.js'

// A piscina worker of the `threaded` executor. Every worker of the pool sees the same shared-counter
// buffer (that is the point of the shared-counter workload) and the same start-stamp buffer.

const data = workerData as { tmpDir: string, shared: SharedArrayBuffer, startStamps: SharedArrayBuffer, barrier: SharedArrayBuffer, workload?: string, workloadModule?: string }
// piscina waits for this module before the warm-up barrier: the load is start-up, not a run's.
await preloadWorkload(data.workload, data.workloadModule)
const env: WorkerEnv = { tmpDir: data.tmpDir, shared: new Int32Array(data.shared), startStamps: new Float64Array(data.startStamps) }
const barrier = new Int32Array(data.barrier)

/** `canary`: time the canary once every thread has arrived (all of them at once, each on its own thread). */
export interface BarrierTask { type: 'barrier', parties: number, canary?: boolean }
/** `thread`: this worker's /proc directory, so the coordinator can read its CPU (threadProcDir). */
export interface BarrierDone { type: 'barrier', thread?: string, canaryMs?: number }

/**
 * Each barrier task blocks its thread until `parties` of them have arrived. At warm-up this forces
 * piscina to have started every thread of the pool (and loaded this module) before timing begins;
 * around a run it is how every thread, not whichever piscina picks, times the canary. As every
 * thread holds one barrier task, the answers name every thread of the pool once. The coordinator
 * resets the count between barriers (threaded.ts).
 */
function awaitBarrier (parties: number, canary: boolean): BarrierDone {
  Atomics.add(barrier, 0, 1)
  Atomics.notify(barrier, 0)
  const deadline = performance.now() + 30_000
  for (let seen = Atomics.load(barrier, 0); seen < parties; seen = Atomics.load(barrier, 0)) {
    if (performance.now() > deadline) throw new Error(`pool warm-up: only ${seen} of ${parties} threads started within 30 s`)
    Atomics.wait(barrier, 0, seen, 100)
  }
  return canary ? { type: 'barrier', thread: threadProcDir(), canaryMs: canaryMs() } : { type: 'barrier', thread: threadProcDir() }
}

export default async function handle (msg: TaskMessage | BarrierTask): Promise<unknown> {
  if (msg.type === 'barrier') return awaitBarrier(msg.parties, msg.canary === true)
  return await runTask(msg.index, msg.workload, msg.params, msg.httpBase, env)
}
