import type { JobSpec } from '../schemas/job.js'
import type { JobVersions, RunnerWorkloads } from '../schemas/workload.js'
import type { Runtimes } from '../runtimes/runtimes.js'
import { PYTHON_WORKLOADS } from '../runtimes/python/protocol.js'
import { version as corebenchVersion } from '../version.js'
import { CANARY_KERNEL } from '../executors/canary.js'
import { externalWorkload, registerExternalWorkloads } from '../workloads/external.js'
import { describeWorkloads, workloadIds } from '../workloads/index.js'
import { loadWorkloadPackages } from '../workloads/packages/load.js'
import { contentHash } from '../workloads/packages/resolve.js'

export interface WorkloadSettings {
  WORKLOADS: string
  WORKLOADS_STRICT: boolean
  WORKER_MAX_OLD_GEN_MB: number
}

/** What a runner can run: registered with its machine claim, and checked against each job it starts. */
export interface RunnerCatalog {
  workloads: RunnerWorkloads
  /**
   * The versions a job runs with, or why this runner refuses it (`COREBENCH_ERR_WORKLOAD_*`: a
   * workload it has not loaded, or a spec that pins another version than the one it loaded).
   */
  versionsFor: (spec: JobSpec) => { ok: true, versions: JobVersions } | { ok: false, error: string }
}

/**
 * Loads the workload packages of WORKLOADS (in a worker thread: src/workloads/packages/load.ts),
 * registers them in this process for the executors, and describes them beside the built-ins.
 * Rejects with WorkloadPackageError (one line naming the file) when WORKLOADS_STRICT and one fails.
 */
export async function loadRunnerCatalog (config: WorkloadSettings, runtimes: Runtimes): Promise<RunnerCatalog> {
  const packages = await loadWorkloadPackages({ workloads: config.WORKLOADS, strict: config.WORKLOADS_STRICT, builtinIds: workloadIds, maxOldGenerationSizeMb: config.WORKER_MAX_OLD_GEN_MB })
  registerExternalWorkloads(packages.loaded)
  const loaded = [...describeWorkloads(PYTHON_WORKLOADS), ...packages.loaded.map(w => w.description)]
  const byId = new Map(loaded.map(d => [d.id, d]))
  return {
    workloads: { loaded, unavailable: packages.unavailable },
    versionsFor: spec => {
      const id = spec.workload.id
      const have = byId.get(id)
      if (have === undefined || (have.source !== 'builtin' && externalWorkload(id) === undefined)) {
        const why = packages.unavailable.find(u => u.id === id)?.reason
        return { ok: false, error: `COREBENCH_ERR_WORKLOAD_UNAVAILABLE: this runner has no workload ${id}${why === undefined ? '' : ` (it could not load it: ${why})`}; nothing was run` }
      }
      const changed = changedSinceLoad(id, have.version)
      if (changed !== undefined) return { ok: false, error: `COREBENCH_ERR_WORKLOAD_VERSION: ${changed}; restart the runner to load it; refused, nothing was run` }
      const pinned = pinnedVersion(spec)
      if (pinned !== undefined && pinned !== have.version) {
        return { ok: false, error: `COREBENCH_ERR_WORKLOAD_VERSION: the spec pins ${id} version ${pinned}, this runner has version ${have.version} (from ${have.source}); refused, nothing was run` }
      }
      const python = spec.runtimes.map(r => runtimes.get(r)).find(r => r !== undefined && r.id !== 'node')
      return { ok: true, versions: { workload: { id, version: have.version, source: have.source }, node: process.versions.node, python: python?.version ?? null, corebench: corebenchVersion, canary: CANARY_KERNEL } }
    }
  }
}

/**
 * Why a package workload's files no longer are the version this runner loaded (edited or removed
 * since its start), or undefined. Pools import the module afresh, so a job must not run code that
 * its recorded version does not name.
 */
function changedSinceLoad (id: string, loaded: string): string | undefined {
  const w = externalWorkload(id)
  if (w === undefined) return undefined
  let hash: string
  try {
    hash = contentHash(w.module, w.python)
  } catch (err) {
    return `${id}: ${(err as Error).message} (it was version ${loaded} at the runner's start)`
  }
  const now = `${loaded.slice(0, loaded.lastIndexOf('+') + 1)}${hash}`
  return now === loaded ? undefined : `${id} changed on disk since this runner loaded it: version ${loaded} then, ${now} now (${w.module})`
}

/** `workload.version` of a spec, when it pins one (the API validates its shape: src/jobs/spec.ts). */
function pinnedVersion (spec: JobSpec): string | undefined {
  const v = (spec.workload as { version?: unknown }).version
  return typeof v === 'string' ? v : undefined
}

/** Whether a workload's checksums can be compared between runs (a package may declare itself non-deterministic). */
export function isDeterministic (id: string): boolean {
  return externalWorkload(id)?.description.deterministic !== false
}
