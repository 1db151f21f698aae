import { pathToFileURL } from 'node:url'
import type { Workload } from './types.js'

/**
 * The built-in catalog: every workload's id → a loader of its module, in display order. Adding a
 * workload = one file plus one entry here. The API and the runner load all of them
 * (workloads/index.ts); a worker thread or child process loads only the one its tasks run
 * (loadWorkload), so that it answers its first message without paying for the rest.
 */
export const workloadModules = {
  fibonacci: async () => await import('./fibonacci.js'),
  'sum-range': async () => await import('./sum-range.js'),
  primes: async () => await import('./primes.js'),
  matmul: async () => await import('./matmul.js'),
  hash: async () => await import('./hash.js'),
  'text-analysis': async () => await import('./text-analysis.js'),
  'json-roundtrip': async () => await import('./json-roundtrip.js'),
  'sqrt-array': async () => await import('./sqrt-array.js'),
  sleep: async () => await import('./sleep.js'),
  'file-io': async () => await import('./file-io.js'),
  'http-get': async () => await import('./http-get.js'),
  'shared-counter': async () => await import('./shared-counter.js'),
} satisfies Record<string, () => Promise<{ default: Workload }>>

const loaded = new Map<string, Workload>()
/** Package workloads (WORKLOADS) this thread may load: id → the module path its runner resolved. */
const packageModules = new Map<string, string>()

/**
 * Lets this thread load package workload `id` from `file`, the absolute path the runner resolved
 * and checked at its start (a pool gets it with its options, never from a task or a request).
 */
export function allowWorkloadModule (id: string, file: string): void {
  packageModules.set(id, file)
}

/**
 * The workload `id`, once loadWorkload has loaded it in this thread; undefined before. Lets the
 * per-task path skip an await (and the microtask turn it costs) for every task after the first.
 */
export function loadedWorkload (id: string): Workload | undefined {
  return loaded.get(id)
}

/**
 * Imports the module of workload `id` (once per thread) and returns its workload: a built-in one, or
 * a package workload allowed by allowWorkloadModule. Rejects with `unknown workload <id>` for any
 * other id, and if the module's own id differs from its key.
 */
export async function loadWorkload (id: string): Promise<Workload> {
  const known = loaded.get(id)
  if (known !== undefined) return known
  const file = packageModules.get(id)
  if (!Object.hasOwn(workloadModules, id) && file === undefined) throw new Error(`unknown workload ${JSON.stringify(id)}`)
  const workload: Workload = file === undefined
    ? (await workloadModules[id as keyof typeof workloadModules]()).default
    : (await import(pathToFileURL(file).href) as { default: Workload }).default
  if (workload?.id !== id) throw new Error(`workload catalog: the module listed as ${JSON.stringify(id)} defines ${JSON.stringify(workload?.id)}`)
  loaded.set(id, workload)
  return workload
}
