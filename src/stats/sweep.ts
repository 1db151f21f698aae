import { amdahlFit, karpFlatt, recommendPoolSize, uslFit } from './scaling.js'
import type { CellSummary } from './summary.js'

export interface ScalingSummary {
  runtime: string
  executor: string
  points: Array<{ workers: number, speedup: number | null, efficiency: number | null, throughput: number | null, karpFlatt: number | null }>
  amdahl: ReturnType<typeof amdahlFit>
  usl: ReturnType<typeof uslFit>
  /** The smallest worker count within 5 % of the best throughput. */
  recommendedWorkers: number | null
}

/** How each pool executor of each runtime scales across the job's worker sweep. */
export function scaling (cells: CellSummary[]): ScalingSummary[] {
  const out: ScalingSummary[] = []
  const runtimes = [...new Set(cells.map(c => c.runtime))]
  for (const runtime of runtimes) for (const executor of ['threaded', 'process']) {
    const mine = cells.filter(c => c.runtime === runtime && c.executor === executor).sort((a, b) => a.workers - b.workers)
    if (mine.length === 0) continue
    const withSpeedup = mine.filter(c => c.speedup !== null).map(c => ({ workers: c.workers, speedup: c.speedup as number }))
    const withThroughput = mine.filter(c => c.throughput !== null).map(c => ({ workers: c.workers, throughput: c.throughput as number }))
    out.push({
      runtime,
      executor,
      points: mine.map(c => ({ workers: c.workers, speedup: c.speedup, efficiency: c.efficiency, throughput: c.throughput, karpFlatt: c.speedup === null ? null : karpFlatt(c.speedup, c.workers) })),
      amdahl: amdahlFit(withSpeedup),
      usl: uslFit(withThroughput),
      recommendedWorkers: recommendPoolSize(withThroughput)
    })
  }
  return out
}
