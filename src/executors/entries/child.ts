import { mkdirSync } from 'node:fs'
import { canaryMs } from '../canary.js'
import { threadCpuNs } from '../thread-cpu.js'
import type { CanaryReply, StatsReply, ToWorker } from '../protocol.js'
import { preloadWorkload, runTask, type WorkerEnv } from '../task-runner.js'

// A child process of the `process` executor: one task at a time over IPC. Its shared-counter memory
// is its own: nothing it counts is visible to any other child or to the parent.

const tmpDir = process.env.COREBENCH_TMPDIR ?? '/tmp'
mkdirSync(tmpDir, { recursive: true })
const env: WorkerEnv = { tmpDir, shared: new Int32Array(new SharedArrayBuffer(4)) }

function send (msg: unknown): void {
  if (process.send !== undefined && process.connected) process.send(msg)
}

process.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'task':
      void runTask(msg.index, msg.workload, msg.params, msg.httpBase, env).then(send)
      break
    case 'stats': {
      // The whole process (GC and watchdog threads too: what it cost the machine), and apart from
      // it this main thread, the one that runs the tasks.
      const usage = process.resourceUsage()
      const reply: StatsReply = { type: 'stats', cpuUserUs: usage.userCPUTime, cpuSystemUs: usage.systemCPUTime, maxRssBytes: usage.maxRSS * 1024, shared: Atomics.load(env.shared, 0), threadCpuNs: threadCpuNs() ?? null }
      if (msg.resetShared) Atomics.store(env.shared, 0, 0)
      send(reply)
      break
    }
    case 'ping':
      send({ type: 'pong' })
      break
    case 'canary':
      send({ type: 'canary', ms: canaryMs() } satisfies CanaryReply)
      break
  }
})
// When the parent closes the channel (pool close) or dies, exit instead of lingering; a parent
// SIGKILLed in the middle of a long synchronous task is seen by its watch instead (parent-watch.ts).
process.on('disconnect', () => process.exit(0))
// Before 'ready': the load is start-up, not a run's.
await preloadWorkload(process.env.COREBENCH_WORKLOAD, process.env.COREBENCH_WORKLOAD_MODULE)
send({ type: 'ready' })
