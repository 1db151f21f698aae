import { workloadIds } from '../workloads/index.js'
import type { RuntimeId } from './ids.js'
import { discoverPython, PYTHON_WORKLOADS, type PythonInterpreter } from './python/index.js'

export { RUNTIME_IDS, type RuntimeId } from './ids.js'

export interface RuntimeInfo {
  id: RuntimeId
  available: boolean
  /** Why it is unavailable, in words a user can act on. */
  reason: string | null
  version: string
  /** The interpreter that runs tasks (the Node binary for `node`). */
  executable: string
  gil: boolean | null
  /** Workload ids it can run, with checksums identical to every other runtime's. */
  workloads: string[]
}

export interface Runtimes {
  list: RuntimeInfo[]
  get: (id: string) => RuntimeInfo | undefined
  /** The interpreter to spawn for a Python runtime (undefined for node or when unavailable). */
  python: (id: RuntimeId) => PythonInterpreter | undefined
}

/**
 * Finds what this host can run, once at start. `pythonCommand` 'off' skips the probe. Python
 * runtimes that are missing are listed as unavailable with the reason, so a job asking for one gets
 * a clear 400 and everything else works.
 */
export async function discoverRuntimes (pythonCommand: string): Promise<Runtimes> {
  // Interpreters do not come and go while a process lives; tests build many apps.
  let found = discovered.get(pythonCommand)
  if (found === undefined) {
    found = discover(pythonCommand)
    discovered.set(pythonCommand, found)
  }
  return await found
}

const discovered = new Map<string, Promise<Runtimes>>()

async function discover (pythonCommand: string): Promise<Runtimes> {
  const node: RuntimeInfo = { id: 'node', available: true, reason: null, version: process.versions.node, executable: process.execPath, gil: null, workloads: [...workloadIds] }
  const interpreters = new Map<RuntimeId, PythonInterpreter>()
  const reasons: string[] = []
  if (pythonCommand === 'off') {
    reasons.push('disabled by configuration (PYTHON=off)')
  } else {
    const found = await discoverPython({ command: pythonCommand })
    // The first interpreter of a kind wins: the configured command is probed first.
    for (const i of found.interpreters) if (!interpreters.has(i.runtime)) interpreters.set(i.runtime, i)
    reasons.push(...found.unavailable.map(u => u.reason))
  }
  const python = (id: 'python' | 'python-nogil'): RuntimeInfo => {
    const i = interpreters.get(id)
    if (i !== undefined) return { id, available: true, reason: null, version: `${i.implementation} ${i.version}`, executable: i.executable, gil: i.gil, workloads: [...PYTHON_WORKLOADS] }
    const why = id === 'python'
      ? reasons.length > 0 ? reasons.join('; ') : 'no interpreter with a GIL found'
      : 'no free-threaded interpreter (python3.13t, python3.14t with the GIL disabled) found'
    return { id, available: false, reason: why, version: '', executable: '', gil: null, workloads: [...PYTHON_WORKLOADS] }
  }
  const list = [node, python('python'), python('python-nogil')]
  return {
    list,
    get: id => list.find(r => r.id === id),
    python: id => interpreters.get(id)
  }
}
