import { median } from 'simple-statistics'
import type { JobRecord, RunRecord } from '../store/types.js'
import { cellKey } from '../schemas/cells.js'
import { VERDICTS, type CellComparison, type JobComparison } from '../schemas/comparison.js'
import { compareSamples, type CompareOptions } from './compare.js'
import { countedRuns } from './disturbed.js'
import { jobSpread, SPREAD_MIN_JOBS } from './job-spread.js'

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

/** Beyond this the canary (a fixed CPU kernel timed around every run) says the host itself changed speed. */
const CANARY_NOTE = 0.1

/** Median canary time (ms) of one cell's recorded runs, before and after each; null when none was measured. */
function canaryMedian (runs: RunRecord[], key: string): number | null {
  const times = runs.filter(r => !r.warmup && cellKey(r) === key).flatMap(r => [r.canaryBeforeMs, r.canaryAfterMs]).filter((v): v is number => v !== null && v > 0)
  return times.length === 0 ? null : median(times)
}

/** The canary kernel a job's runs were timed with: jobs from before it was recorded had the first one. */
function canaryKernel (j: JobRecord): string {
  return j.versions?.canary ?? 'xorshift-on-the-runner-thread'
}

/**
 * How much longer (percent) the canary took in `job` than in `base`: the median over the cells both
 * have of the ratio of the cells' median readings. Per cell, because a cell's reading is its slowest
 * thread's (more threads read higher); null when the kernels differ or no shared cell has readings.
 */
function canaryChange (job: JobRecord, base: JobRecord, jobRuns: RunRecord[], baseRuns: RunRecord[], keys: string[]): number | null {
  if (canaryKernel(job) !== canaryKernel(base)) return null
  const ratios = keys.flatMap(k => {
    const [mine, theirs] = [canaryMedian(jobRuns, k), canaryMedian(baseRuns, k)]
    return mine === null || theirs === null ? [] : [mine / theirs]
  })
  return ratios.length === 0 ? null : (median(ratios) - 1) * 100
}

/**
 * Cell-by-cell comparison of a job's wall times with a baseline job's (DESIGN.md §7). `comparable`
 * is false when either job is not finished or no cell has recorded runs on both sides (`reason` says
 * which); `decided` is true only when it is comparable and no cell is inconclusive.
 *
 * `earlier`: per cell key, the median wall times (ms) of earlier finished jobs of the baseline's
 * spec, host and workload version, the current job left out (the caller reads them from history).
 * From SPREAD_MIN_JOBS of them a cell's interval also covers job-to-job variation (job-spread.ts).
 */
export function compareJobs (job: JobRecord, jobRuns: RunRecord[], base: JobRecord, baseRuns: RunRecord[], opts: CompareOptions, earlier: ReadonlyMap<string, number[]> = new Map()): JobComparison {
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
    const medians = job.id === base.id ? [] : earlier.get(key) ?? []
    return { key, runtime, executor, workers, ...compareSamples(mine.get(key) as number[], theirs.get(key) as number[], opts, jobSpread(medians)), spreadJobs: medians.length, disturbedSamples }
  })
  const known = cells.filter(c => c.jobSpreadPct !== null).length
  if (job.id !== base.id && known < cells.length) {
    const most = Math.max(0, ...cells.filter(c => c.jobSpreadPct === null).map(c => c.spreadJobs))
    // Earlier jobs are read only for one spec on one known host (src/api/history.ts): say so rather than count none.
    const apart = !sameSpec ? 'the jobs measured different specs' : !sameHost ? (job.hostId === null || base.hostId === null ? 'a job ran on an unknown host' : 'the jobs ran on different hosts') : null
    const why = apart !== null ? `it is measured over earlier jobs of one spec on one host, and ${apart}` : `${most} earlier finished job${most === 1 ? '' : 's'} of this spec and workload version on this host, ${SPREAD_MIN_JOBS} needed`
    notes.push(`the job-to-job spread is not known for ${known === 0 ? 'any cell' : `${cells.length - known} of ${cells.length} cells`} (${why}): their intervals and p-values count only the runs of these two jobs, and what lasts a whole job (the host's state, other tenants, where threads land) is not in them`)
  }
  const canaryChangePct = canaryChange(job, base, jobRuns, baseRuns, cells.map(c => c.key))
  if (canaryChangePct !== null && Math.abs(canaryChangePct) > CANARY_NOTE * 100) {
    notes.push(`the canary (a fixed CPU kernel timed around every run) took ${Math.abs(canaryChangePct).toFixed(0)} % ${canaryChangePct > 0 ? 'longer' : 'less time'} in this job than in the baseline: the machine itself ran ${canaryChangePct > 0 ? 'slower' : 'faster'}, and a change of that size in the cells may be the machine's`)
  }
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
  return { job: side(job), baseline: side(base), sameSpec, sameHost, notes, thresholds: opts, canaryChangePct, cells, verdict, comparable, reason, counts, decided: comparable && counts.inconclusive === 0 }
}
