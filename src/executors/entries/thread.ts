import { parentPort, workerData } from 'node:worker_threads'
import { canaryMs } from '../canary.js'
import { threadProcDir } from '../thread-cpu.js'
import type { BatchMessage, CanaryReply, PongMessage, ToWorker } from '../protocol.js'
import { preloadWorkload, runTask, type WorkerEnv } from '../task-runner.js'

// The one dedicated worker thread of the `serialized` and `async` executors.

const data = workerData as { tmpDir: string, shared: SharedArrayBuffer, startStamps: SharedArrayBuffer, workload?: string, workloadModule?: string }
// Before the first pong (messages wait in the port meanwhile): the load is start-up, not a run's.
await preloadWorkload(data.workload, data.workloadModule)
const env: WorkerEnv = { tmpDir: data.tmpDir, shared: new Int32Array(data.shared), startStamps: new Float64Array(data.startStamps) }
const port = parentPort
if (port === null) throw new Error('thread entry must run in a worker thread')
// Read once: the coordinator reads this thread's CPU from it before and after each run.
const pong: PongMessage = { type: 'pong', thread: threadProcDir() }

async function runBatch (b: BatchMessage): Promise<void> {
  if (b.mode === 'serial') {
    for (let i = 0; i < b.count; i++) port!.postMessage(await runTask(i, b.workload, b.params, b.httpBase, env))
  } else {
    // All tasks start before any is awaited: waits overlap, synchronous CPU work cannot.
    await Promise.all(Array.from({ length: b.count }, async (_, i) => {
      port!.postMessage(await runTask(i, b.workload, b.params, b.httpBase, env))
    }))
  }
}

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'batch') void runBatch(msg)
  else if (msg.type === 'ping') port.postMessage(pong)
  else if (msg.type === 'canary') port.postMessage({ type: 'canary', ms: canaryMs() } satisfies CanaryReply)
})
