import type { JobSubmit } from '../schemas/job.js'

export interface Preset {
  id: string
  description: string
  spec: JobSubmit
}

/** Ready-made specs that reproduce the seed articles' Python experiments in Node, and beside CPython. */
export const presets: readonly Preset[] = [
  {
    id: 'gil-cpu',
    description: 'fib(35) three times per task, 2 tasks: threads under a GIL give ~1.0×; Node worker threads and processes do not share one loop',
    spec: { name: 'GIL experiment: CPU-bound', workload: { id: 'fibonacci', params: { n: 35, repeat: 3 } }, tasks: 2, executors: ['serialized', 'async', 'threaded', 'process'], workers: [2], repetitions: 3, warmup: 1 }
  },
  {
    id: 'gil-io',
    description: 'Five simulated 2 s API calls: waits overlap on one loop as they do under the GIL (~5×)',
    spec: { name: 'GIL experiment: I/O-bound', workload: { id: 'sleep', params: { ms: 2000 } }, tasks: 5, executors: ['serialized', 'async', 'threaded', 'process'], workers: [5], repetitions: 3, warmup: 0 }
  },
  {
    id: 'sum-range-pool',
    description: 'sum(range(10 000 000)) four times in a pool of 4: parallel, but paying for the pool start',
    spec: { name: 'sum(range(10M)) × 4 in a pool of 4', workload: { id: 'sum-range', params: { n: 10_000_000 } }, tasks: 4, executors: ['serialized', 'threaded', 'process'], workers: [4], repetitions: 5, warmup: 1 }
  },
  {
    id: 'counter-race',
    description: 'counter += 1 from several workers without atomics: shared memory loses updates, separate processes cannot share at all',
    spec: { name: 'Shared counter race', workload: { id: 'shared-counter', params: { n: 5_000_000, atomic: false } }, tasks: 8, executors: ['serialized', 'async', 'threaded', 'process'], workers: [2], repetitions: 3, warmup: 1 }
  },
  {
    id: 'gil-vs-node-cpu',
    // fib(30) is ~0.1 s a task in CPython 3.11 and ~9 ms in Node: 16 tasks keep Node's runs above
    // 50 ms at 2 workers, and the whole job near a minute.
    description: 'Recursive fib(30), 16 tasks, 2 workers, in CPython and Node side by side: Python threads stay at ~1.0× (the GIL), Python processes and Node threads scale',
    spec: { name: 'GIL vs Node: CPU-bound', workload: { id: 'fibonacci', params: { n: 30 } }, tasks: 16, runtimes: ['node', 'python'], executors: ['serialized', 'async', 'threaded', 'process'], workers: [2], repetitions: 3, warmup: 1 }
  },
  {
    id: 'gil-vs-node-io',
    description: 'Five 500 ms waits in CPython and Node side by side: threads and asyncio overlap waits (~5×) in both, GIL or not',
    spec: { name: 'GIL vs Node: I/O-bound', workload: { id: 'sleep', params: { ms: 500 } }, tasks: 5, runtimes: ['node', 'python'], executors: ['serialized', 'async', 'threaded', 'process'], workers: [5], repetitions: 3, warmup: 0 }
  }
]

export function getPreset (id: string): Preset | undefined {
  return presets.find(p => p.id === id)
}
