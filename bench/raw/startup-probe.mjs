// Start-up probe for bench/startup.ts, run by plain `node` (no tsx): it times corebench's executors
// as production runs them, from dist/, and the raw mechanisms they are built on, in one process.
// Asked over IPC for one side at a time ({ side, kind, workers }), it answers { ms }: for ours, the
// time `start()` takes to create the pool and have every worker answer; for raw, `workers` bare
// `new Worker()` / `fork()`s of a one-line module started at once, to the last first message.
import { fork } from 'node:child_process'
import { Worker } from 'node:worker_threads'

const [distIndex, heapMb] = process.argv.slice(2)
const { createExecutor } = await import(distIndex)
const raw = (name) => new URL(`./${name}`, import.meta.url)

async function rawThreads (workers) {
  const t0 = performance.now()
  const started = Array.from({ length: workers }, () => new Worker(raw('first-message-thread.mjs'), { resourceLimits: { maxOldGenerationSizeMb: Number(heapMb) } }))
  await Promise.all(started.map(async w => await new Promise(resolve => w.once('message', resolve))))
  const ms = performance.now() - t0
  await Promise.all(started.map(async w => await w.terminate()))
  return ms
}

async function rawForks (workers) {
  const t0 = performance.now()
  // The flags and channel ProcessExecutor gives its children.
  const started = Array.from({ length: workers }, () => fork(raw('first-message-child.mjs'), [], {
    execArgv: [`--max-old-space-size=${heapMb}`],
    serialization: 'json',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc']
  }))
  // The child has no 'message' listener, so its channel does not hold it: it may exit on its own
  // right after its message, before any listener added later could see it.
  const exits = started.map(async c => await new Promise(resolve => c.once('exit', resolve)))
  await Promise.all(started.map(async c => await new Promise(resolve => c.once('message', resolve))))
  const ms = performance.now() - t0
  for (const c of started) c.kill('SIGKILL')
  await Promise.all(exits)
  return ms
}

async function ours (kind, workers) {
  const ex = createExecutor(kind, workers, { maxOldGenerationSizeMb: Number(heapMb) })
  const t0 = performance.now()
  await ex.start()
  const ms = performance.now() - t0
  await ex.destroy()
  return ms
}

process.on('message', async ({ side, kind, workers }) => {
  const ms = side === 'ours' ? await ours(kind, workers) : kind === 'process' ? await rawForks(workers) : await rawThreads(workers)
  process.send({ ms })
})
process.on('disconnect', () => process.exit(0))
process.send({ ready: true })
