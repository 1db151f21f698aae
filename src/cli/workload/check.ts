import { resolve } from 'node:path'
import { createExecutor } from '../../executors/index.js'
import { measureRun, type RunOutcome } from '../../measure/measure-run.js'
import { discoverRuntimes } from '../../runtimes/runtimes.js'
import { runPythonFork } from '../../runtimes/python/index.js'
import { registerExternalWorkloads } from '../../workloads/external.js'
import { workloadIds } from '../../workloads/index.js'
import { loadWorkloadPackages, type ExternalWorkload } from '../../workloads/packages/load.js'

/** One task per runtime is a check, not a benchmark: bounded like a generous job task. */
const TASK_TIMEOUT_MS = 120_000

/** What `workload check` found for one workload: its checksum per runtime (python null when not run) and why not. */
export interface CheckedWorkload {
  workload: ExternalWorkload
  node: string
  python: string | null
  /** Why Python was not run (no twin, no interpreter); null when it ran. */
  pythonSkipped: string | null
}

/** A problem the author must fix, in one line (the runner's start would fail with the same words). */
export class WorkloadCheckError extends Error {}

/**
 * Checks the workload package in `dir` as a runner loads it (src/workloads/packages: schema, ids,
 * import and smoke task, in a worker thread), then runs one task of each workload with its defaults
 * through corebench's own serialized executor, and one through the Python harness when it has a twin
 * and `python` finds an interpreter. Deterministic workloads must give the same checksum in both.
 * Throws WorkloadCheckError with one line naming the file or workload and the problem.
 */
export async function checkWorkloadPackage (dir: string, python: string): Promise<CheckedWorkload[]> {
  let loaded: ExternalWorkload[]
  try {
    ({ loaded } = await loadWorkloadPackages({ workloads: resolve(dir), strict: true, builtinIds: workloadIds }))
  } catch (err) {
    throw new WorkloadCheckError((err as Error).message)
  }
  if (loaded.length === 0) throw new WorkloadCheckError(`${dir}: package.json lists no workload module (corebench.workloads)`)
  // The executors and the harness find a package workload by id, as in a runner.
  registerExternalWorkloads(loaded)
  const interpreter = loaded.some(w => w.python !== null) ? (await discoverRuntimes(python)).python('python') : undefined
  const out: CheckedWorkload[] = []
  for (const w of loaded) {
    const { id, defaults: params, deterministic } = w.description
    const node = checksumOf(id, 'node', await nodeTask(w, params))
    let py: string | null = null
    let pythonSkipped: string | null = null
    if (w.python === null) pythonSkipped = 'no Python twin'
    else if (interpreter === undefined) pythonSkipped = `no Python interpreter (${python})`
    else {
      const [outcome] = await runPythonFork({ workload: id, params, tasks: 1, executor: 'serialized', workers: 1, warmup: 0, command: interpreter.command, module: w.python }, { taskTimeoutMs: TASK_TIMEOUT_MS })
      py = checksumOf(id, 'python', outcome)
      if (deterministic && py !== node) throw new WorkloadCheckError(`${w.python}: ${id} gives checksum ${py} in Python but ${node} in Node (same params ${JSON.stringify(params)})`)
    }
    out.push({ workload: w, node, python: py, pythonSkipped })
  }
  return out
}

async function nodeTask (w: ExternalWorkload, params: Record<string, unknown>): Promise<RunOutcome> {
  const pool = createExecutor('serialized', 1, { workload: w.description.id, workloadModule: w.module })
  try {
    await pool.start()
    return await measureRun(pool, { workload: w.description.id, params, tasks: 1 }, { taskTimeoutMs: TASK_TIMEOUT_MS })
  } finally {
    await pool.destroy()
  }
}

function checksumOf (id: string, runtime: string, outcome: RunOutcome | undefined): string {
  if (outcome === undefined) throw new WorkloadCheckError(`${id}: the ${runtime} task gave no result`)
  if (!outcome.ok) throw new WorkloadCheckError(`${id}: one ${runtime} task failed: ${outcome.error} (${outcome.code})`)
  return outcome.checksum
}
