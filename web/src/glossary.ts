// What every figure on the dashboard means: the tooltips read from here, and the README's glossary
// carries the same entries (test/web/glossary.test.ts checks that none is missing there).

export const GLOSSARY = {
  'median wall': 'Median wall-clock time of one recorded run: all the job\'s tasks, from the first dispatch to the last result. Pool start-up is outside it.',
  'mean ± sd': 'Mean wall time ± its sample standard deviation; cv (coefficient of variation) = sd / mean. Above 10 % the runs disagree: the machine was noisy or the runs are too short.',
  speedup: 'Median wall time of the serialized cell (same runtime) ÷ median wall time of this cell. 2× means the same tasks finished in half the time.',
  efficiency: 'Speedup ÷ workers: the share of each worker\'s core that turned into speed. Above 100 % is impossible for CPU-bound work and is flagged.',
  'busy cores': 'CPU time ÷ wall time: how many cores the cell kept busy on average, shown against the usable cores of the host (the smaller of its CPU affinity and cgroup CPU quota).',
  'task slowdown': 'Median time of one task inside a worker in this cell ÷ the same in the serialized cell. 1.6× means each task ran 1.6× slower when several ran at once (shared caches, memory bandwidth, SMT siblings, a neighbour); this is why busy cores can sit far above the speedup.',
  'start-up': 'Median time to start a fresh pool (threads or processes) and run its warm-up, outside the wall time. Every repetition pays it once.',
  cold: 'Cold wall time = start-up + wall time: what one run costs when nothing is warm yet.',
  throughput: 'Tasks per second at the median wall time.',
  'task run p50 / p95': 'Median and 95th percentile of the time one task spent inside a worker, over every task of every recorded run.',
  'task p99': 'The 99th percentile of a task\'s total latency: queued, running and returning its result. It can exceed the median wall of a small run, since one run holds many tasks.',
  verified: 'Every run\'s checksum equals the serialized run\'s: the concurrent executors computed the same result.',
  'warm-up': 'Unrecorded runs on each fresh pool before its one recorded run (JIT, caches). Progress counts them, labelled as warm-up.',
  interval: '95 % interval: for the median, distribution-free order statistics; for speedups and changes, a percentile bootstrap over the repetitions. Shown only from 6 repetitions.',
  outlier: 'A run whose wall time has a modified z-score above 3.5 (Iglewicz & Hoaglin). Flagged, never dropped, and only from 6 repetitions.',
  'Karp–Flatt': 'Experimentally determined serial fraction e = (1/S − 1/p) / (1 − 1/p). Rising with p points at overhead (contention, start-up) rather than inherently serial work. Shown only with 3 or more worker counts.',
  Amdahl: 'Amdahl\'s law S(p) = 1 / (f + (1 − f)/p) fitted to the speedups: f is the serial fraction. Shown only with 3 or more worker counts within the usable cores, and never extrapolated past them.',
  USL: 'Universal Scalability Law (Gunther): σ is contention, κ coherency; throughput peaks where adding workers starts to cost. Only with 3 or more worker counts; a peak past the cores is not shown.',
  'recommended pool size': 'The smallest worker count within 5 % of the best throughput measured; for CPU-bound work never above the usable cores.',
  'p-value': 'The chance of a difference at least this large if nothing changed. Welch\'s t-test decides below 5 repetitions per side, Mann–Whitney from 5; both are shown when computed.'
} as const

export type GlossaryTerm = keyof typeof GLOSSARY

/** The tooltip text of a figure. */
export function explain (term: GlossaryTerm): string {
  return GLOSSARY[term]
}
