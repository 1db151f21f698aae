import { pathToFileURL } from 'node:url'
import { parentPort, workerData } from 'node:worker_threads'
import { checkModule, errorText, ModuleProblem, type CheckedModule } from './check-module.js'

// The loader's worker thread: imports each module of the workload packages, checks it and runs its
// smoke task, reporting one message per module. Workload code never runs in the runner's own thread.

/** Loader thread → runner, per module: `begin` before its import, then its result. */
export type LoaderMessage =
  | { type: 'begin', file: string }
  | { type: 'done', file: string, ok: true, module: CheckedModule }
  | { type: 'done', file: string, ok: false, id: string | null, reason: string }
  | { type: 'end' }

const { files, tmpDir } = workerData as { files: string[], tmpDir: string }
const post = (m: LoaderMessage): void => { parentPort?.postMessage(m) }

for (const file of files) {
  post({ type: 'begin', file })
  let ns: Record<string, unknown>
  try {
    ns = await import(pathToFileURL(file).href) as Record<string, unknown>
  } catch (err) {
    post({ type: 'done', file, ok: false, id: null, reason: `throws on import: ${errorText(err)}` })
    continue
  }
  try {
    post({ type: 'done', file, ok: true, module: await checkModule(ns, tmpDir) })
  } catch (err) {
    const problem = err instanceof ModuleProblem ? err : new ModuleProblem(`cannot be checked: ${errorText(err)}`)
    post({ type: 'done', file, ok: false, id: problem.id, reason: problem.message })
  }
}
post({ type: 'end' })
