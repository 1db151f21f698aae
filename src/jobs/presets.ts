import type { JobSubmit } from '../schemas/job.js'

export interface Preset {
  id: string
  description: string
  spec: JobSubmit
}

/**
 * Ready-made specs that reproduce the seed articles' Python experiments in Node, and beside CPython.
 * Each passes its own checks on a 2-core host (test/jobs/presets.test.ts): every run of every cell
 * lasts 50 ms or more, work that needs a core has at least 4 tasks per worker, and 6 repetitions
 * give every interval the dashboard shows. Only `gil-cpu-seed` keeps the article's own shape
 * (2 tasks on 2 workers), and with it the warning that shape earns.
 */
export const presets: readonly Preset[] = [
  {
    id: 'gil-cpu',
    // fib(31) three times is ~45 ms a task on an idle 2-core VM: 8 tasks keep the 2-worker runs near 180 ms.
    description: 'fib(31) three times per task, 8 tasks on 2 workers: threads under a GIL give ~1.0×; Node worker threads and processes do not share one loop',
    spec: { name: 'GIL experiment: CPU-bound', workload: { id: 'fibonacci', params: { n: 31, repeat: 3 } }, tasks: 8, executors: ['serialized', 'async', 'threaded', 'process'], workers: [2], repetitions: 6, warmup: 1 }
  },
  {
    id: 'gil-cpu-seed',
    description: 'The seed article\'s exact shape: fib(35) three times, 2 tasks on 2 workers. It warns, rightly: with one task per worker the speedup swings from run to run; use gil-cpu for numbers',
    spec: { name: 'GIL experiment: CPU-bound (seed shape)', workload: { id: 'fibonacci', params: { n: 35, repeat: 3 } }, tasks: 2, executors: ['serialized', 'async', 'threaded', 'process'], workers: [2], repetitions: 6, warmup: 1 }
  },
  {
    id: 'gil-io',
    description: 'Five simulated 1 s API calls: waits overlap on one loop as they do under the GIL (~5×)',
    spec: { name: 'GIL experiment: I/O-bound', workload: { id: 'sleep', params: { ms: 1000 } }, tasks: 5, executors: ['serialized', 'async', 'threaded', 'process'], workers: [5], repetitions: 6, warmup: 0 }
  },
  {
    id: 'sum-range-pool',
    description: 'sum(range(10 000 000)) sixteen times in a pool of 2: parallel, but paying for the pool start',
    spec: { name: 'sum(range(10M)) × 16 in a pool of 2', workload: { id: 'sum-range', params: { n: 10_000_000 } }, tasks: 16, executors: ['serialized', 'threaded', 'process'], workers: [2], repetitions: 6, warmup: 1 }
  },
  {
    id: 'counter-race',
    description: 'counter += 1 from several workers without atomics: shared memory loses updates, separate processes cannot share at all',
    spec: { name: 'Shared counter race', workload: { id: 'shared-counter', params: { n: 10_000_000, atomic: false } }, tasks: 8, executors: ['serialized', 'async', 'threaded', 'process'], workers: [2], repetitions: 6, warmup: 1 }
  },
  {
    id: 'gil-vs-node-cpu',
    // fib(30) is ~0.1 s a task in CPython 3.11 and ~9 ms in Node: 16 tasks keep Node's runs above
    // 50 ms at 2 workers.
    description: 'Recursive fib(30), 16 tasks, 2 workers, in CPython and Node side by side: Python threads stay at ~1.0× (the GIL), Python processes and Node threads scale',
    spec: { name: 'GIL vs Node: CPU-bound', workload: { id: 'fibonacci', params: { n: 30 } }, tasks: 16, runtimes: ['node', 'python'], executors: ['serialized', 'async', 'threaded', 'process'], workers: [2], repetitions: 6, warmup: 1 }
  },
  {
    id: 'gil-vs-node-io',
    description: 'Five 500 ms waits in CPython and Node side by side: threads and asyncio overlap waits (~5×) in both, GIL or not',
    spec: { name: 'GIL vs Node: I/O-bound', workload: { id: 'sleep', params: { ms: 500 } }, tasks: 5, runtimes: ['node', 'python'], executors: ['serialized', 'async', 'threaded', 'process'], workers: [5], repetitions: 6, warmup: 0 }
  }
]

export function getPreset (id: string): Preset | undefined {
  return presets.find(p => p.id === id)
}
