import { createHash } from 'node:crypto'
import type { RunOn } from '../schemas/job.js'

// Where a job may run, in team mode. Pure functions over the registered runners: the API resolves a
// spec's `runOn` at submit (refusing what no runner can ever match), the queue sends the job to the
// queues of the matching classes, and a runner works its class's queue and the queue of its own name.

export type { RunOn }

/** A registered runner as routing sees it. */
export interface RunnerInfo {
  name: string
  arch: string
  /** Cores the OS grants the runner (affinity and cgroup quota), not the logical CPU count. */
  usableCores: number
  cpuModel: string
  labels: readonly string[]
  runtimes: readonly string[]
  /** The package workloads it loaded (id and version); built-ins are on every runner and need no entry. */
  workloads: ReadonlyArray<{ id: string, version: string }>
  online: boolean
  /** When it last heartbeated. */
  lastSeenAt: Date
}

export interface Placement {
  /** Runners that match, online or not. */
  runners: RunnerInfo[]
  /** The pg-boss queues to send the job to: one per matching class, or the named runner's own. */
  queues: string[]
  /** The cores the job's default sweep, caps and warnings use: the fewest among the matches. */
  cores: number
  warnings: string[]
}

/** Why a placement is impossible, naming the spec field (a 400 at submit). */
export interface PlacementError {
  field: string
  message: string
}

/**
 * Runners with the same hardware and labels form a class that shares one queue (competing
 * consumers). The name is a hash so that labels never reach a queue name unescaped.
 */
export function classQueue (r: Pick<RunnerInfo, 'arch' | 'usableCores' | 'cpuModel' | 'labels'>): string {
  const key = JSON.stringify([r.arch, r.usableCores, r.cpuModel, [...r.labels].sort()])
  return `corebench.class.${createHash('sha256').update(key).digest('hex').slice(0, 16)}`
}

/** The queue of one runner, for `runOn.runner`. */
export function runnerQueue (name: string): string {
  return `corebench.runner.${createHash('sha256').update(name).digest('hex').slice(0, 16)}`
}

/**
 * Resolves a spec's placement against the registered runners (online or not: a job may wait for an
 * offline runner, and says so). `runtimes` are the spec's runtimes: a runner that lacks one cannot
 * run the job. `workload`, for a package workload only (built-ins are everywhere): the runners must
 * have loaded it, at `version` when the spec pins one. Returns the matches, or the first requirement
 * that no registered runner meets.
 */
export function place (runOn: RunOn | undefined, runtimes: readonly string[], registered: readonly RunnerInfo[], workload?: { id: string, version?: string }): Placement | PlacementError {
  let pool = [...registered]
  if (pool.length === 0) return { field: 'runOn', message: 'no runner is registered: start one with `corebench runner`' }
  const narrow = (field: string, keep: (r: RunnerInfo) => boolean, message: (had: RunnerInfo[]) => string): PlacementError | undefined => {
    const next = pool.filter(keep)
    if (next.length === 0) return { field, message: message(pool) }
    pool = next
    return undefined
  }
  const failed =
    (runOn?.runner === undefined ? undefined : narrow('runOn.runner', r => r.name === runOn.runner, had => `no registered runner is named "${runOn.runner}" (registered: ${names(had)})`)) ??
    (runOn?.arch === undefined ? undefined : narrow('runOn.arch', r => r.arch === runOn.arch, had => `no registered runner is ${runOn.arch} (registered: ${[...new Set(had.map(r => r.arch))].sort().join(', ')})`)) ??
    (runOn?.minCores === undefined ? undefined : narrow('runOn.minCores', r => r.usableCores >= (runOn.minCores ?? 0), had => `no registered runner has ${runOn.minCores} usable cores (the most: ${Math.max(...had.map(r => r.usableCores))})`)) ??
    (runOn?.labels === undefined ? undefined : narrow('runOn.labels', r => runOn.labels?.every(l => r.labels.includes(l)) === true, had => `no registered runner has every label of ${runOn.labels?.join(', ')} (labels seen: ${[...new Set(had.flatMap(r => r.labels))].sort().join(', ') || 'none'})`)) ??
    narrow('runtimes', r => runtimes.every(rt => r.runtimes.includes(rt)), had => `no matching runner has every runtime of ${runtimes.join(', ')} (${had.map(r => `${r.name}: ${r.runtimes.join(', ')}`).join('; ')})`) ??
    (workload === undefined ? undefined : narrow('workload.id', r => r.workloads.some(w => w.id === workload.id), had => `no matching runner has loaded workload ${workload.id} (matching runners: ${names(had)})`)) ??
    (workload?.version === undefined ? undefined : narrow('workload.version', r => r.workloads.some(w => w.id === workload.id && w.version === workload.version), had => `no matching runner has version ${workload.version} of ${workload.id} (they have ${[...new Set(had.flatMap(r => r.workloads.filter(w => w.id === workload.id).map(w => w.version)))].sort().join(', ')})`))
  if (failed !== undefined) return failed

  // A class shares hardware and labels, not workload packages: a package workload goes to the own
  // queue of each runner that loaded it, so that a class peer without it never claims the job.
  const queues = runOn?.runner !== undefined
    ? [runnerQueue(runOn.runner)]
    : [...new Set(pool.map(workload === undefined ? classQueue : r => runnerQueue(r.name)))].sort()
  const cores = Math.min(...pool.map(r => r.usableCores))
  const warnings: string[] = []
  if (pool.every(r => !r.online)) {
    warnings.push(`every runner that can run this job is offline (${pool.map(r => `${r.name} since ${r.lastSeenAt.toISOString()}`).join(', ')}): it waits in the queue until one is back`)
  }
  if (new Set(pool.map(r => r.usableCores)).size > 1) {
    warnings.push(`the matching runners have different core counts (${[...new Set(pool.map(r => r.usableCores))].sort((a, b) => a - b).join(', ')}): the default sweep and caps use the fewest, ${cores}`)
  }
  return { runners: pool, queues, cores, warnings }
}

/** Whether `place` refused. */
export function isPlacementError (p: Placement | PlacementError): p is PlacementError {
  return 'field' in p
}

function names (runners: readonly RunnerInfo[]): string {
  return runners.map(r => r.name).sort().join(', ')
}
