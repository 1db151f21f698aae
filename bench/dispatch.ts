import { fork, type ChildProcess } from 'node:child_process'
import { Worker } from 'node:worker_threads'
import { Piscina } from 'piscina'
import type { ExecutorKind } from '../src/executors/index.js'
import { cores, HEAP_MB, interleave, measure, pairedFigures, plan, rawPath, startExecutor, type PairedFigures, type Settings } from './lib.js'

// Per-task dispatch overhead: how much corebench's executors add on top of the bare mechanism they
// are built on, for a task that does (almost) nothing. `sum-range {n: 1}` is the closest catalog
// entry to a no-op: `sleep {ms: 0}` still waits for a timer turn (≥ 1 ms in Node). Task counts give
// runs of ~0.5 s: the single-thread loop does ~2 µs a task, so it gets 10× more tasks than the pools.

const POOL_TASKS = 20_000
const LOOP_TASKS = 200_000
const GOAL_RATIO = 1.10
const trivial = plan('sum-range', { n: 1 }, POOL_TASKS)

export interface DispatchRow extends PairedFigures {
  name: string
  workers: number
  tasks: number
}

/** A thing that can run the trivial batch once and say how long it took (ms). */
interface Side {
  run: () => Promise<number>
  close: () => Promise<void>
}

/** Ours, timed by measureRun's own window (first dispatch → last result), as a job would see it. */
async function ours (kind: ExecutorKind, workers: number, tasks: number): Promise<Side> {
  const ex = await startExecutor(kind, workers, { maxTasks: tasks, maxOldGenerationSizeMb: HEAP_MB })
  const p = { ...trivial, tasks }
  return { run: async () => (await measure(ex, p)).wallMs, close: async () => { await ex.close() } }
}

const taskMsg = (index: number): object => ({ type: 'task', index, workload: trivial.workload, params: trivial.params })

/** Raw piscina pinned exactly like ThreadedExecutor (fixed size, threads never retire, same heap cap). */
async function rawPiscina (workers: number, tasks: number): Promise<Side> {
  const pool = new Piscina({
    filename: rawPath('piscina-worker.mjs'),
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 2 ** 31 - 1,
    concurrentTasksPerWorker: 1,
    resourceLimits: { maxOldGenerationSizeMb: HEAP_MB }
  })
  return {
    run: async () => {
      const t0 = performance.now()
      await Promise.all(Array.from({ length: tasks }, async (_, i) => pool.run(taskMsg(i))))
      return performance.now() - t0
    },
    close: async () => { await pool.destroy() }
  }
}

/** Raw fork + IPC: `workers` children, JSON serialization, each reply triggers that child's next task. */
async function rawFork (workers: number, tasks: number): Promise<Side> {
  let onReply: (child: ChildProcess) => void = () => {}
  const children = await Promise.all(Array.from({ length: workers }, async () => {
    // Same flags as ProcessExecutor's children (inherited --import tsx, heap cap) so start-up state matches.
    const child = fork(rawPath('fork-child.mjs'), [], {
      execArgv: [...process.execArgv, `--max-old-space-size=${HEAP_MB}`],
      serialization: 'json',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc']
    })
    await new Promise(resolve => child.once('message', resolve))
    child.on('message', () => { onReply(child) })
    return child
  }))
  return {
    run: async () => await new Promise<number>(resolve => {
      const t0 = performance.now()
      let sent = 0
      let done = 0
      onReply = (child) => {
        if (++done === tasks) resolve(performance.now() - t0)
        else if (sent < tasks) child.send(taskMsg(sent++))
      }
      for (const c of children) c.send(taskMsg(sent++))
    }),
    close: async () => {
      await Promise.all(children.map(async c => { const exited = new Promise(resolve => c.once('exit', resolve)); c.disconnect(); await exited }))
    }
  }
}

/** Raw single worker thread: one batch message in, one message per task back. */
async function rawThread (tasks: number): Promise<Side> {
  const worker = new Worker(rawPath('thread-loop.mjs'), { resourceLimits: { maxOldGenerationSizeMb: HEAP_MB } })
  await new Promise(resolve => worker.once('message', resolve))
  return {
    run: async () => await new Promise<number>(resolve => {
      const t0 = performance.now()
      let done = 0
      const onMessage = (): void => {
        if (++done < tasks) return
        worker.off('message', onMessage)
        resolve(performance.now() - t0)
      }
      worker.on('message', onMessage)
      worker.postMessage({ type: 'batch', count: tasks, workload: trivial.workload, params: trivial.params })
    }),
    close: async () => { await worker.terminate() }
  }
}

export async function benchDispatch (s: Settings): Promise<DispatchRow[]> {
  const pairs: Array<{ name: string, workers: number, tasks: number, make: (tasks: number) => Promise<[Side, Side]> }> = [
    { name: 'threaded vs raw piscina', workers: cores, tasks: POOL_TASKS, make: async (n) => [await ours('threaded', cores, n), await rawPiscina(cores, n)] },
    { name: 'process vs raw fork + IPC (json)', workers: cores, tasks: POOL_TASKS, make: async (n) => [await ours('process', cores, n), await rawFork(cores, n)] },
    { name: 'serialized vs raw worker loop', workers: 1, tasks: LOOP_TASKS, make: async (n) => [await ours('serialized', 1, n), await rawThread(n)] }
  ]
  const rows: DispatchRow[] = []
  for (const p of pairs) {
    const [a, b] = await p.make(p.tasks)
    try {
      const runs = await interleave(s.reps, [a.run, b.run])
      rows.push({ name: p.name, workers: p.workers, tasks: p.tasks, ...pairedFigures(runs, GOAL_RATIO, ms => ms * 1000 / p.tasks) })
    } finally {
      await a.close()
      await b.close()
    }
  }
  return rows
}

export const dispatchPlan = trivial
