import type { TObject, TSchema } from '@sinclair/typebox'
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value'
import type { WorkloadDescription, WorkloadRuntimeId } from '../schemas/workload.js'
import { version } from '../version.js'
import { externalWorkload } from './external.js'
import { loadWorkload, workloadModules } from './modules.js'
import type { Workload } from './types.js'

export type { TaskContext, TaskOutput, Workload, WorkloadKind } from './types.js'

/** The whole built-in catalog, in display order (the list to edit is workloads/modules.ts). */
const catalog: readonly Workload[] = await Promise.all(Object.keys(workloadModules).map(loadWorkload))

export const workloads: ReadonlyMap<string, Workload> = new Map(catalog.map((w) => [w.id, w]))

export const workloadIds: readonly string[] = catalog.map((w) => w.id)

export function getWorkload(id: string): Workload | undefined {
  return workloads.get(id)
}

export interface ParamError { path: string, message: string, value?: unknown, limit?: number }
export type ResolvedParams =
  | { ok: true, params: Record<string, unknown> }
  | { ok: false, errors: ParamError[] }

/**
 * Fills defaults and validates without coercion (a string "30" for an integer is an error).
 * Every message names the field, the value given and the limit, e.g. `params.n: 45 is above the maximum 40`.
 * Executors must call `run` only with the `params` returned here.
 */
export function resolveParams(id: string, params: unknown): ResolvedParams {
  // A package workload this process registered (a runner: src/workloads/external.ts) has a plain
  // JSON Schema, marked with TypeBox's kinds at registration.
  const schema = workloads.get(id)?.params ?? externalWorkload(id)?.schema
  if (schema === undefined) {
    return fail('workload.id', `workload.id: unknown workload ${show(id)}; expected one of ${workloadIds.join(', ')}`)
  }
  if (params === undefined) params = {}
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    return fail('params', `params: expected an object, got ${show(params)}`)
  }
  const entries = Object.entries(params)
  const isKnown = ([key]: [string, unknown]): boolean => Object.hasOwn(schema.properties, key)
  const errors: ParamError[] = entries.filter(e => !isKnown(e))
    .map(([key]) => ({ path: `params.${key}`, message: `params.${key}: unknown parameter (allowed: ${Object.keys(schema.properties).join(', ')})` }))
  // Every catalog parameter is a primitive. Refusing structured values before TypeBox walks them,
  // and never cloning unknown keys, keeps a hostile deeply nested body from overflowing the stack.
  const structured = entries.filter(([key, v]) => isKnown([key, v]) && typeof v === 'object' && v !== null)
  if (structured.length > 0) {
    return { ok: false, errors: [...errors, ...structured.map(([key, v]) => ({ path: `params.${key}`, message: `params.${key}: expected ${typeName(schema.properties[key] as TSchema)}, got ${Array.isArray(v) ? 'an array' : 'an object'}` }))] }
  }
  const value = Value.Default(schema, Value.Clone(Object.fromEntries(entries.filter(isKnown)))) as Record<string, unknown>
  // TypeBox stops at a field's type error, so each field gets at most one message here.
  for (const error of Value.Errors(schema, value)) {
    if (error.type === ValueErrorType.ObjectAdditionalProperties) continue // reported above
    const path = `params${error.path.replaceAll('/', '.')}`
    const limit = limitOf(error)
    errors.push({ path, message: `${path}: ${describe(error)}`, value: error.value, ...(limit === undefined ? {} : { limit }) })
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, params: value }
}

/**
 * The built-in catalog as published (GET /api/workloads, a runner's registration): source
 * `builtin`, corebench's version, deterministic; `pythonIds` are the ids the Python harness
 * implements (PYTHON_WORKLOADS), which list `python` among their runtimes.
 */
export function describeWorkloads(pythonIds: readonly string[] = []): WorkloadDescription[] {
  return catalog.map((w) => ({
    id: w.id,
    kind: w.kind,
    description: w.description,
    params: publicSchema(w.params),
    defaults: defaultsOf(w.params),
    sharedMemory: w.sharedMemory === true,
    version,
    source: 'builtin',
    deterministic: true,
    runtimes: ['node', ...(pythonIds.includes(w.id) ? ['python'] as WorkloadRuntimeId[] : [])],
  }))
}

export type { WorkloadDescription } from '../schemas/workload.js'

// Every property has a default, so a client may omit any of them: drop `required` from what it sees.
function publicSchema(schema: TObject): Record<string, unknown> {
  const { required: _required, ...rest } = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>
  return rest
}

function defaultsOf(schema: TObject): Record<string, unknown> {
  return Value.Default(schema, {}) as Record<string, unknown>
}

function fail(path: string, message: string): ResolvedParams {
  return { ok: false, errors: [{ path, message }] }
}

// Values come from requests: keep them short in messages.
function show(value: unknown): string {
  let text: string
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined) text = String(value)
  else {
    try {
      text = JSON.stringify(value) ?? String(value)
    } catch {
      text = String(value)
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

function typeName(schema: TSchema): string {
  return typeof schema.type === 'string' ? schema.type : 'a valid value'
}

/** The bound a refused number broke; undefined for other errors. */
function limitOf(e: ValueError): number | undefined {
  switch (e.type) {
    case ValueErrorType.IntegerMaximum: case ValueErrorType.NumberMaximum: return e.schema.maximum as number
    case ValueErrorType.IntegerMinimum: case ValueErrorType.NumberMinimum: return e.schema.minimum as number
    case ValueErrorType.IntegerExclusiveMaximum: case ValueErrorType.NumberExclusiveMaximum: return e.schema.exclusiveMaximum as number
    case ValueErrorType.IntegerExclusiveMinimum: case ValueErrorType.NumberExclusiveMinimum: return e.schema.exclusiveMinimum as number
    default: return undefined
  }
}

function describe(e: ValueError): string {
  const s = e.schema
  switch (e.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required'
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return `${show(e.value)} is above the maximum ${s.maximum}`
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return `${show(e.value)} is below the minimum ${s.minimum}`
    case ValueErrorType.IntegerExclusiveMaximum:
    case ValueErrorType.NumberExclusiveMaximum:
      return `${show(e.value)} must be below ${s.exclusiveMaximum}`
    case ValueErrorType.IntegerExclusiveMinimum:
    case ValueErrorType.NumberExclusiveMinimum:
      return `${show(e.value)} must be above ${s.exclusiveMinimum}`
    case ValueErrorType.Integer:
    case ValueErrorType.Number:
    case ValueErrorType.Boolean:
    case ValueErrorType.String:
    case ValueErrorType.Object:
      return `expected ${typeName(s)}, got ${show(e.value)}`
    default:
      return `${e.message.replace(/^Expected/, 'expected')}, got ${show(e.value)}`
  }
}
