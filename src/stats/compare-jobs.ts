import type { JobRecord, RunRecord } from '../store/types.js'
import { cellKey } from '../jobs/cells.js'
import { compareSamples, type CompareOptions } from './compare.js'

export interface JobComparison {
  job: { id: string, specHash: string, hostId: string | null, createdAt: string }
  baseline: { id: string, specHash: string, hostId: string | null, createdAt: string }
  sameSpec: boolean
  sameHost: boolean
  /** Plain-language caveats: different hosts or specs, cells only one side has. */
  notes: string[]
  thresholds: CompareOptions
  cells: Array<{ key: string, runtime: string, executor: string, workers: number } & ReturnType<typeof compareSamples>>
  verdict: 'faster' | 'slower' | 'same' | 'inconclusive' | 'mixed'
}

type Cell = Pick<RunRecord, 'runtime' | 'executor' | 'workers'>

function walls (runs: RunRecord[]): Map<string, number[]> {
  const out = new Map<string, number[]>()
  for (const r of runs) {
    if (!r.ok || r.repetition < 0) continue
    const key = cellKey(r)
    out.set(key, [...(out.get(key) ?? []), r.wallMs])
  }
  return out
}

function cellsByKey (runs: RunRecord[]): Map<string, Cell> {
  return new Map(runs.map(r => [cellKey(r), { runtime: r.runtime, executor: r.executor, workers: r.workers }]))
}

/** Cell-by-cell comparison of a job's wall times with a baseline job's (DESIGN.md §7). */
export function compareJobs (job: JobRecord, jobRuns: RunRecord[], base: JobRecord, baseRuns: RunRecord[], opts: CompareOptions): JobComparison {
  const mine = walls(jobRuns)
  const theirs = walls(baseRuns)
  const notes: string[] = []
  const sameSpec = job.specHash === base.specHash
  const sameHost = job.hostId !== null && job.hostId === base.hostId
  if (!sameSpec) notes.push(`the jobs measured different specs (${job.specHash} vs ${base.specHash}): only cells with the same runtime, executor and workers are compared, and workload, params or tasks may differ`)
  for (const j of [job, base]) {
    if (j.status !== 'finished') notes.push(`job ${j.id} is ${j.status}: its cells are compared on the runs it has, which may be few or none`)
  }
  if (!sameHost) notes.push(`the jobs ran on different hosts (${job.hostId ?? 'unknown'} vs ${base.hostId ?? 'unknown'}): a difference may be the machine, not the code`)
  const only = (a: Map<string, number[]>, b: Map<string, number[]>): string[] => [...a.keys()].filter(k => !b.has(k))
  if (only(mine, theirs).length > 0) notes.push(`cells only in this job: ${only(mine, theirs).join(', ')}`)
  if (only(theirs, mine).length > 0) notes.push(`cells only in the baseline: ${only(theirs, mine).join(', ')}`)

  const byKey = cellsByKey(jobRuns)
  const cells = [...mine.keys()].filter(k => theirs.has(k)).map(key => {
    const { runtime, executor, workers } = byKey.get(key) as Cell
    return { key, runtime, executor, workers, ...compareSamples(mine.get(key) as number[], theirs.get(key) as number[], opts) }
  })
  const verdicts = new Set(cells.map(c => c.verdict))
  const verdict = cells.length === 0
    ? 'inconclusive'
    : verdicts.size === 1 ? [...verdicts][0] as JobComparison['verdict'] : verdicts.has('slower') && verdicts.has('faster') ? 'mixed' : verdicts.has('slower') ? 'slower' : verdicts.has('faster') ? 'faster' : 'inconclusive'
  const side = (j: JobRecord) => ({ id: j.id, specHash: j.specHash, hostId: j.hostId, createdAt: j.createdAt.toISOString() })
  return { job: side(job), baseline: side(base), sameSpec, sameHost, notes, thresholds: opts, cells, verdict }
}
