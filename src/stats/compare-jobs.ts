import type { JobRecord, RunRecord } from '../store/types.js'
import { cellKey } from '../schemas/cells.js'
import { VERDICTS, type CellComparison, type JobComparison } from '../schemas/comparison.js'
import { compareSamples, type CompareOptions } from './compare.js'
import { countedRuns } from './disturbed.js'

export type { JobComparison }

type Cell = Pick<RunRecord, 'runtime' | 'executor' | 'workers'>

/** Per cell, the wall times the statistics count (countedRuns) and how many of them were disturbed. */
function samples (runs: RunRecord[]): Map<string, { walls: number[], disturbed: number }> {
  const out = new Map<string, { walls: number[], disturbed: number }>()
  for (const r of countedRuns(runs)) {
    if (!r.ok || r.warmup) continue
    const key = cellKey(r)
    const s = out.get(key) ?? { walls: [], disturbed: 0 }
    s.walls.push(r.wallMs)
    if (r.disturbed) s.disturbed++
    out.set(key, s)
  }
  return out
}

function walls (s: Map<string, { walls: number[] }>): Map<string, number[]> {
  return new Map([...s].map(([key, v]) => [key, v.walls]))
}

function cellsByKey (runs: RunRecord[]): Map<string, Cell> {
  return new Map(runs.map(r => [cellKey(r), { runtime: r.runtime, executor: r.executor, workers: r.workers }]))
}

/**
 * Cell-by-cell comparison of a job's wall times with a baseline job's (DESIGN.md §7). `comparable`
 * is false when either job is not finished or no cell has recorded runs on both sides (`reason` says
 * which); `decided` is true only when it is comparable and no cell is inconclusive.
 */
export function compareJobs (job: JobRecord, jobRuns: RunRecord[], base: JobRecord, baseRuns: RunRecord[], opts: CompareOptions): JobComparison {
  const mineSamples = samples(jobRuns)
  const theirSamples = samples(baseRuns)
  const mine = walls(mineSamples)
  const theirs = walls(theirSamples)
  const notes: string[] = []
  const sameSpec = job.specHash === base.specHash
  const sameHost = job.hostId !== null && job.hostId === base.hostId
  if (!sameSpec) notes.push(`the jobs measured different specs (${job.specHash} vs ${base.specHash}): only cells with the same runtime, executor and workers are compared, and workload, params or tasks may differ`)
  const unfinished = [job, base].filter(j => j.status !== 'finished')
  for (const j of unfinished) notes.push(`job ${j.id} is ${j.status}, not finished: its cells are compared on the runs it has, which may be few or none, and decide nothing`)
  const [mineVersion, theirVersion] = [job, base].map(j => j.versions?.workload.version ?? null)
  if (mineVersion !== null && theirVersion !== null && mineVersion !== theirVersion) notes.push(`the jobs ran different versions of workload ${job.workloadId}: ${mineVersion} vs ${theirVersion} (the baseline): a difference may be the workload's code`)
  const where = (j: JobRecord): string => `${j.hostId ?? 'unknown'}${j.runnerName === null ? '' : ` on runner ${j.runnerName}`}`
  if (!sameHost) notes.push(`the jobs ran on different hosts (${where(job)} vs ${where(base)}): a difference may be the machine, not the code`)
  const only = (a: Map<string, number[]>, b: Map<string, number[]>): string[] => [...a.keys()].filter(k => !b.has(k))
  if (only(mine, theirs).length > 0) notes.push(`cells only in this job: ${only(mine, theirs).join(', ')}`)
  if (only(theirs, mine).length > 0) notes.push(`cells only in the baseline: ${only(theirs, mine).join(', ')}`)

  const byKey = cellsByKey(jobRuns)
  const cells = [...mine.keys()].filter(k => theirs.has(k)).map((key): CellComparison => {
    const { runtime, executor, workers } = byKey.get(key) as Cell
    const disturbedSamples = { current: mineSamples.get(key)?.disturbed ?? 0, baseline: theirSamples.get(key)?.disturbed ?? 0 }
    return { key, runtime, executor, workers, ...compareSamples(mine.get(key) as number[], theirs.get(key) as number[], opts), disturbedSamples }
  })
  const disturbedCells = cells.filter(c => c.disturbedSamples.current + c.disturbedSamples.baseline > 0)
  if (disturbedCells.length > 0) notes.push(`some samples were disturbed on every try (foreign CPU, steal or canary drift past the DISTURBED_* settings): ${disturbedCells.map(c => `${c.key} ${c.disturbedSamples.current} + ${c.disturbedSamples.baseline}`).join(', ')} (this job + the baseline)`)
  const verdicts = new Set(cells.map(c => c.verdict))
  const verdict = cells.length === 0
    ? 'inconclusive'
    : verdicts.size === 1 ? [...verdicts][0] as JobComparison['verdict'] : verdicts.has('slower') && verdicts.has('faster') ? 'mixed' : verdicts.has('slower') ? 'slower' : verdicts.has('faster') ? 'faster' : 'inconclusive'
  const side = (j: JobRecord): JobComparison['job'] => ({ id: j.id, specHash: j.specHash, hostId: j.hostId, runner: j.runnerName, createdAt: j.createdAt.toISOString(), status: j.status, workloadVersion: j.versions?.workload.version ?? null })
  // A gate reads these fields, not the prose: a broken or unfinished job must never pass as "no regression".
  const counts = Object.fromEntries(VERDICTS.map(v => [v, cells.filter(c => c.verdict === v).length])) as JobComparison['counts']
  const reason = unfinished.length > 0
    ? unfinished.map(j => `job ${j.id} is ${j.status}`).join(', and ')
    : cells.length === 0 ? `no cell has successful recorded runs in both jobs (${job.id}: ${mine.size} cells, ${base.id}: ${theirs.size} cells)` : null
  const comparable = reason === null
  return { job: side(job), baseline: side(base), sameSpec, sameHost, notes, thresholds: opts, cells, verdict, comparable, reason, counts, decided: comparable && counts.inconclusive === 0 }
}
