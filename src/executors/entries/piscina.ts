import { workerData } from 'node:worker_threads'
import { canaryMs } from '../canary.js'
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

/** `canary`: once every thread has arrived, each times the canary, one thread after another. */
export interface BarrierTask { type: 'barrier', parties: number, canary?: boolean }
/** `thread`: this worker's /proc directory, so the coordinator can read its CPU (threadProcDir). */
export interface BarrierDone { type: 'barrier', thread?: string, canaryMs?: number }

/**
 * Each barrier task blocks its thread until `parties` of them have arrived. At warm-up this forces
 * piscina to have started every thread of the pool (and loaded this module) before timing begins;
 * around a run it is how every thread, not whichever piscina picks, times the canary. As every
 * thread holds one barrier task, the answers name every thread of the pool once. The canary is
 * timed in turn, in the order the threads arrived (slot 1 counts the turns): a pool with more threads
 * than cores would otherwise time-slice its canaries and read slow. The coordinator resets both
 * counts between barriers (threaded.ts).
 */
function awaitBarrier (parties: number, canary: boolean): BarrierDone {
  const arrival = Atomics.add(barrier, 0, 1)
  Atomics.notify(barrier, 0)
  waitUntil(0, parties, `pool warm-up: only %s of ${parties} threads started within 30 s`)
  if (!canary) return { type: 'barrier', thread: threadProcDir() }
  waitUntil(1, arrival, `canary: the turn of thread ${arrival} of ${parties} never came within 30 s (at %s)`)
  const ms = canaryMs()
  Atomics.add(barrier, 1, 1)
  Atomics.notify(barrier, 1)
  return { type: 'barrier', thread: threadProcDir(), canaryMs: ms }
}

/** Blocks this thread until barrier[slot] reaches `value`; throws `message` (%s: the count seen) after 30 s. */
function waitUntil (slot: number, value: number, message: string): void {
  const deadline = performance.now() + 30_000
  for (let seen = Atomics.load(barrier, slot); seen < value; seen = Atomics.load(barrier, slot)) {
    if (performance.now() > deadline) throw new Error(message.replace('%s', String(seen)))
    Atomics.wait(barrier, slot, seen, 100)
  }
}

export default async function handle (msg: TaskMessage | BarrierTask): Promise<unknown> {
  if (msg.type === 'barrier') return awaitBarrier(msg.parties, msg.canary === true)
  return await runTask(msg.index, msg.workload, msg.params, msg.httpBase, env)
}
