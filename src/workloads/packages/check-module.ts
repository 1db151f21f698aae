import { Value } from '@sinclair/typebox/value'
import type { TaskContext, WorkloadKind } from '../types.js'
import { paramDefaults, paramsSchemaProblem, typeBoxParams } from './params.js'

/** A workload id of a package: namespaced `owner/name`, lower-case letters, digits and `-`. */
export const PACKAGE_WORKLOAD_ID = /^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/
export const WORKLOAD_KINDS: readonly WorkloadKind[] = ['cpu', 'io', 'memory', 'mixed']

/** What a module that passed every check says of itself (the rest of its description comes from its package). */
export interface CheckedModule {
  id: string
  kind: WorkloadKind
  description: string
  params: Record<string, unknown>
  defaults: Record<string, unknown>
  deterministic: boolean
}

/** A check that failed: the one-line problem, and the module's id when it got far enough to say. */
export class ModuleProblem extends Error {
  constructor (message: string, readonly id: string | null = null) {
    super(message)
  }
}

/**
 * Checks the namespace of an imported workload module (its default export and optional `smoke`
 * params) and runs one smoke task with the defaults (over which `smoke` is laid). Throws
 * ModuleProblem with the problem in one line. Runs in the loader's worker thread, never in a
 * thread that serves the API or measures.
 */
export async function checkModule (ns: Record<string, unknown>, tmpDir: string): Promise<CheckedModule> {
  const w = ns.default as Record<string, unknown> | undefined
  if (typeof w !== 'object' || w === null) throw new ModuleProblem('has no default export (expected { id, kind, description, params, run })')
  if (typeof w.id !== 'string' || !PACKAGE_WORKLOAD_ID.test(w.id)) throw new ModuleProblem(`id ${JSON.stringify(w.id)} is not a namespaced id (owner/name: lower-case letters, digits, -)`)
  const id = w.id
  const fail = (problem: string): never => { throw new ModuleProblem(problem, id) }
  if (!WORKLOAD_KINDS.includes(w.kind as WorkloadKind)) fail(`kind ${JSON.stringify(w.kind)} is not one of ${WORKLOAD_KINDS.join(', ')}`)
  if (typeof w.description !== 'string' || w.description.trim() === '') fail('description must be a non-empty string')
  if (w.deterministic !== undefined && typeof w.deterministic !== 'boolean') fail('deterministic must be true or false when given')
  if (typeof w.run !== 'function') fail('run is not a function (expected run(params, task) returning { checksum })')
  const schemaProblem = paramsSchemaProblem(w.params)
  if (schemaProblem !== undefined) fail(schemaProblem)
  // A plain JSON copy: what is published, without TypeBox's symbol keys or anything a getter adds.
  const params = JSON.parse(JSON.stringify(w.params)) as Record<string, unknown>
  const defaults = paramDefaults(params)
  const smoke = { ...defaults, ...(ns.smoke as Record<string, unknown> | undefined) }
  const smokeError = Value.Errors(typeBoxParams(params), smoke).First()
  if (smokeError !== undefined) fail(`smoke params${smokeError.path.replaceAll('/', '.')}: ${smokeError.message}`)
  let out: unknown
  try {
    const ctx: TaskContext = { index: 0, tmpDir }
    out = await (w.run as (p: unknown, c: TaskContext) => unknown)(smoke, ctx)
  } catch (err) {
    fail(`the smoke task threw ${errorText(err)}`)
  }
  if (typeof (out as { checksum?: unknown } | null)?.checksum !== 'string') fail(`the smoke task returned ${short(out)} (expected { checksum: string })`)
  return { id, kind: w.kind as WorkloadKind, description: w.description as string, params, defaults, deterministic: w.deterministic !== false }
}

/** `Name: message` of a thrown value, on one line. */
export function errorText (err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
  return text.replace(/\s*\n\s*/g, ' ')
}

function short (v: unknown): string {
  let text: string
  try { text = JSON.stringify(v) ?? String(v) } catch { text = String(v) }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}
