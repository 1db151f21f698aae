// The job's result in plain words: the question people come with is "how many of my cores does
// this really use, threads vs processes?", so the answer leads with busy cores out of the usable
// ones and the speedup, then says why the two differ.
import type { CellSummary, JobSummary } from '../schemas/summary.js'

const NAMES: Record<string, [string, string]> = {
  threaded: ['threads', 'thread pool'],
  process: ['processes', 'process pool'],
  async: ['one event loop', 'event loop']
}
/** Below this a task slowdown is within noise and not worth a sentence. */
const SLOWDOWN_WORTH_SAYING = 1.1

const x = (v: number): string => `${v.toFixed(2)}×`
const cores = (v: number): string => v.toFixed(1)

/**
 * E.g. "CPU-bound: threads use 1.9 of 2 cores (1.81×), processes 1.9 (1.90×, +420 ms start-up per
 * pool); one event loop stays at 1.00× (the GIL analogue). Each task ran 1.60× slower when 2 ran
 * at once …". Per runtime when the job has several. null until a serialized cell has a median
 * (nothing to compare with). Reads only the summary, so the API, CLI, dashboard and report agree.
 */
export function plainAnswer (s: Pick<JobSummary, 'cells' | 'cores' | 'cpuBound' | 'impossible'>): string | null {
  const runtimes = [...new Set(s.cells.map(c => c.runtime))]
  const parts = runtimes.map(rt => runtimeAnswer(s, rt, runtimes.length > 1)).filter((p): p is string => p !== null)
  if (parts.length === 0) return null
  const kind = s.cpuBound === true ? 'CPU-bound' : s.cpuBound === false ? 'Mostly waiting, not computing (I/O-bound)' : ''
  const impossible = s.impossible ?? []
  const trust = impossible.length > 0 ? ` Some results are impossible (${impossible.length}, see the warnings): do not trust this job's numbers.` : ''
  return `${kind === '' ? '' : `${kind}: `}${parts.join(' ')}${trust}`
}

function runtimeAnswer (s: Pick<JobSummary, 'cells' | 'cores' | 'cpuBound'>, runtime: string, multi: boolean): string | null {
  const mine = s.cells.filter(c => c.runtime === runtime)
  if (mine.find(c => c.executor === 'serialized')?.medianWallMs == null) return null
  const best = (executor: string): CellSummary | undefined => mine.filter(c => c.executor === executor && c.speedup !== null).sort((a, b) => (b.speedup as number) - (a.speedup as number))[0]
  const pools = ['threaded', 'process'].map(best).filter((c): c is CellSummary => c !== undefined)
  const clauses = pools.map((c, i) => {
    const [plural] = NAMES[c.executor] as [string, string]
    const startup = c.startupMs !== null && c.startupMs >= 1 ? `, +${Math.round(c.startupMs)} ms start-up per pool` : ''
    const of = i === 0 ? ` of ${s.cores} cores` : ''
    const busy = s.cpuBound === true && c.busyCores !== null ? `${i === 0 ? ' use' : ''} ${cores(c.busyCores)}${of}` : ''
    const workers = mine.filter(m => m.executor === c.executor).length > 1 ? ` at ${c.workers} worker${c.workers === 1 ? '' : 's'}` : ''
    return `${plural}${busy} (${x(c.speedup as number)}${workers}${startup})`
  })
  const loop = best('async')
  if (loop !== undefined) {
    const gil = s.cpuBound === true && (loop.speedup as number) < 1.1 ? ' (the GIL analogue: one thread at a time)' : ''
    clauses.push(`one event loop ${s.cpuBound === true ? 'stays at' : 'reaches'} ${x(loop.speedup as number)}${gil}`)
  }
  if (clauses.length === 0) return null
  const head = `${multi ? `${runtime}: ` : ''}${clauses.join(', ')}.`
  const slow = pools.filter(c => c.taskSlowdown != null && c.taskSlowdown >= SLOWDOWN_WORTH_SAYING).sort((a, b) => (b.taskSlowdown as number) - (a.taskSlowdown as number))[0]
  if (slow === undefined) return head
  const why = slow.busyCores !== null && slow.speedup !== null && slow.busyCores - slow.speedup >= 0.05
    ? `: that is why ${cores(slow.busyCores)} busy cores gave only ${x(slow.speedup)}`
    : ''
  return `${head} Each task ran ${x(slow.taskSlowdown as number)} slower in a ${NAMES[slow.executor]?.[1] ?? slow.executor} of ${slow.workers} than alone (contention for shared caches, memory bandwidth, SMT siblings or a noisy neighbour)${why}.`
}
