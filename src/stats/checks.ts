// Self-checks: results no machine can produce. Each one means the instrument, the machine or the
// spec is wrong, so it becomes a loud job warning instead of a quiet number in a table.
import type { CellSummary } from '../schemas/summary.js'

/** Margin above a limit that a point estimate must clear when there is no interval to consult. */
const NOISE = 0.1

/** The prefix every self-check warning starts with, so that clients can single them out. */
export const IMPOSSIBLE = 'IMPOSSIBLE RESULT'

/**
 * Lower bound of "how fast this cell really is" against `limit` (a speedup): the bootstrap
 * interval's low end when there is one, else the median speedup less a 10 % noise margin.
 */
function clearlyAbove (c: CellSummary, limit: number): boolean {
  if (c.speedup === null) return false
  return c.speedupCi95 !== null ? c.speedupCi95[0] > limit : c.speedup > limit * (1 + NOISE)
}

/**
 * For CPU-bound work (`cpuBound`: the serialized cell kept a core busy), three results cannot be:
 * - a 1-worker cell (async, threaded/1, process/1) faster than serialized: one core cannot compute
 *   faster than one core does;
 * - an efficiency (speedup / workers) above 100 %: n workers cannot do more than n times the work;
 * - a speedup above the host's usable cores: there are no more cores to run on.
 * Waiting work (sleep, I/O) legitimately overlaps far beyond the cores, so none apply to it.
 * Returns one message per finding, each starting with IMPOSSIBLE.
 */
export function impossibleResults (cells: readonly CellSummary[], host: { cores: number, cpuBound: boolean | null }): string[] {
  if (host.cpuBound !== true) return []
  const out: string[] = []
  const x = (v: number): string => `${v.toFixed(2)}×`
  const evidence = (c: CellSummary): string => c.speedupCi95 !== null ? `${x(c.speedup as number)}, 95 % interval ${x(c.speedupCi95[0])}–${x(c.speedupCi95[1])}` : `${x(c.speedup as number)}, more than ${NOISE * 100} % above`
  for (const c of cells) {
    if (c.executor === 'serialized' || c.speedup === null) continue
    if (c.workers === 1 && clearlyAbove(c, 1)) {
      out.push(`${IMPOSSIBLE}: ${c.key} ran CPU-bound work faster than serialized with one worker (${evidence(c)}); one core cannot beat one core, so the baseline was slowed (drift, a neighbour, order) or the work is not what it seems`)
    } else if (c.workers > 1 && clearlyAbove(c, c.workers)) {
      out.push(`${IMPOSSIBLE}: ${c.key} has an efficiency above 100 % (${evidence(c)} on ${c.workers} workers); ${c.workers} workers cannot do more than ${c.workers}× the work, so the serialized baseline was slowed or the measurement is wrong`)
    } else if (clearlyAbove(c, host.cores)) {
      out.push(`${IMPOSSIBLE}: ${c.key} reports a speedup above the ${host.cores} usable cores (${evidence(c)}) on CPU-bound work; the host has no more cores to give`)
    }
  }
  return out
}
