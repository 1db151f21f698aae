import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { UnavailableWorkload, WorkloadDescription } from '../../schemas/workload.js'
import type { CheckedModule } from './check-module.js'
import type { LoaderMessage } from './load-entry.js'
import { resolvePackages, workloadEntries, type PackageModule } from './resolve.js'

/** A workload of a package that loaded: what the runner publishes, and where its executors import it from. */
export interface ExternalWorkload {
  description: WorkloadDescription
  /** Absolute path of the module (worker threads and child processes import it by this path). */
  module: string
  /** Absolute path of its Python twin, or null. */
  python: string | null
}

export interface LoadedPackages {
  loaded: ExternalWorkload[]
  /** With strict off: the modules (or packages) that did not load, each with its one-line reason. */
  unavailable: UnavailableWorkload[]
}

export interface LoadOptions {
  /** The WORKLOADS setting: comma-separated directories or npm package names. */
  workloads: string
  /** WORKLOADS_STRICT: the first problem fails the load (and so the runner's start). */
  strict: boolean
  /** Ids already taken (the built-in catalog). */
  builtinIds: readonly string[]
  /** Where relative directories and package names are resolved from (default: process.cwd()). */
  cwd?: string
  /** Bound on one module's import plus smoke task (default 30 000 ms). */
  moduleTimeoutMs?: number
  /** Heap cap of the loader's thread, as of every worker thread (WORKER_MAX_OLD_GEN_MB). */
  maxOldGenerationSizeMb?: number
}

/** A strict load's failure: `WORKLOADS: <file>: <problem>`, one line. */
export class WorkloadPackageError extends Error {
  override name = 'WorkloadPackageError'
  readonly code = 'COREBENCH_ERR_WORKLOAD_PACKAGE'
}

type ModuleResult = { ok: true, module: CheckedModule } | { ok: false, id: string | null, reason: string }

/**
 * Loads and checks every workload module of the WORKLOADS packages in a worker thread (imports it,
 * checks its shape and params schema, runs one smoke task), then checks ids across modules and
 * against the built-ins, and each Python twin's ID. Strict: rejects with WorkloadPackageError naming
 * the first problem's file. Not strict: a module with a problem is listed as unavailable and the
 * rest load. Resolves at once when WORKLOADS is empty.
 */
export async function loadWorkloadPackages (opts: LoadOptions): Promise<LoadedPackages> {
  const { packages, problems } = resolvePackages(workloadEntries(opts.workloads), opts.cwd ?? process.cwd())
  const unavailable: UnavailableWorkload[] = []
  const skip = (u: UnavailableWorkload): void => {
    if (opts.strict) throw new WorkloadPackageError(`WORKLOADS: ${u.file}: ${u.reason}`)
    unavailable.push(u)
  }
  for (const p of problems) skip({ ...p, id: null })
  const modules = packages.flatMap(p => p.modules.map(m => ({ ...m, source: p.source })))
  const results = await checkInThread(modules.map(m => m.file), opts)
  const loaded: ExternalWorkload[] = []
  const owner = new Map<string, string>()
  for (const m of modules) {
    const r = results.get(m.file) as ModuleResult
    const reason = r.ok ? crossProblem(r.module.id, m, opts.builtinIds, owner) : r.reason
    if (reason !== undefined || !r.ok) {
      skip({ source: m.source, file: m.file, id: r.ok ? r.module.id : r.id, reason: reason as string })
      continue
    }
    owner.set(r.module.id, m.file)
    const { id, kind, description, params, defaults, deterministic } = r.module
    loaded.push({
      description: { id, kind, description, params, defaults, sharedMemory: false, version: m.version, source: m.source, deterministic, runtimes: m.python === null ? ['node'] : ['node', 'python'] },
      module: m.file,
      python: m.python
    })
  }
  return { loaded, unavailable }
}

/** Problems only visible across modules: a taken id, a Python twin that names another. */
function crossProblem (id: string, m: PackageModule, builtinIds: readonly string[], owner: Map<string, string>): string | undefined {
  if (builtinIds.includes(id)) return `id ${JSON.stringify(id)} is a built-in workload's`
  const other = owner.get(id)
  if (other !== undefined) return `id ${JSON.stringify(id)} is also the id of ${other}`
  if (m.python === null) return undefined
  const twinId = /^ID\s*=\s*['"]([^'"\n]*)['"]/m.exec(readFileSync(m.python, 'utf8'))?.[1]
  if (twinId === undefined) return `its Python twin ${m.python} defines no ID = '${id}'`
  if (twinId !== id) return `its Python twin ${m.python} defines ID ${JSON.stringify(twinId)}, the module ${JSON.stringify(id)}`
  return undefined
}

const fromSource = import.meta.url.endsWith('.ts')

/**
 * Runs load-entry in a worker thread over `files`. A module that kills the thread (process.exit,
 * an uncaught error of its own) or passes the timeout fails alone: a fresh thread goes on with the
 * modules after it.
 */
async function checkInThread (files: readonly string[], opts: LoadOptions): Promise<Map<string, ModuleResult>> {
  const results = new Map<string, ModuleResult>()
  if (files.length === 0) return results
  const tmpDir = mkdtempSync(join(tmpdir(), 'corebench-workload-check-'))
  try {
    let rest = [...files]
    while (rest.length > 0) {
      const failed = await oneThread(rest, tmpDir, opts, results)
      if (failed !== undefined) results.set(failed.file, { ok: false, id: null, reason: failed.reason })
      rest = rest.filter(f => !results.has(f))
    }
  } finally {
    rmSync(tmpDir, { recursive: true, force: true })
  }
  return results
}

/** One loader thread; resolves when it ended, with the module it died on (and why) if it did not finish. */
async function oneThread (files: string[], tmpDir: string, opts: LoadOptions, results: Map<string, ModuleResult>): Promise<{ file: string, reason: string } | undefined> {
  const entry = new URL(`./load-entry${fromSource ? '.ts' : '.js'}`, import.meta.url)
  const workerData = { files, tmpDir }
  const resourceLimits = { maxOldGenerationSizeMb: opts.maxOldGenerationSizeMb ?? 1024 }
  // Under tsx (tests, `npm run dev`) a worker thread does not inherit the loader hooks: register them first.
  const worker = fromSource
    ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(m => { m.register(); return import(${JSON.stringify(entry.href)}) })`, { eval: true, workerData, resourceLimits })
    : new Worker(entry, { workerData, resourceLimits })
  const limitMs = opts.moduleTimeoutMs ?? 30_000
  let current: string | undefined
  let timer: NodeJS.Timeout | undefined
  return await new Promise(resolve => {
    const finish = (failed: { file: string, reason: string } | undefined): void => {
      clearTimeout(timer)
      worker.removeAllListeners()
      void worker.terminate()
      resolve(failed)
    }
    const died = (reason: string): void => { finish({ file: current ?? files.find(f => !results.has(f)) as string, reason }) }
    worker.on('message', (m: LoaderMessage) => {
      if (m.type === 'begin') {
        current = m.file
        clearTimeout(timer)
        timer = setTimeout(() => { died(`its import and smoke task did not finish within ${limitMs} ms`) }, limitMs)
      } else if (m.type === 'done') {
        results.set(m.file, m.ok ? { ok: true, module: m.module } : { ok: false, id: m.id, reason: m.reason })
        current = undefined
        clearTimeout(timer)
      } else finish(undefined)
    })
    worker.on('error', err => { died(`threw outside its task: ${err.name}: ${err.message.replace(/\s*\n\s*/g, ' ')}`) })
    worker.on('exit', code => { died(`ended the loader thread (exit code ${code})`) })
  })
}
