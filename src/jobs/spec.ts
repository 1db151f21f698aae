import { createHash } from 'node:crypto'
import { smtWarnings } from '../host/topology.js'
import { workersCap, type Config } from '../config.js'
import { EXECUTOR_KINDS, RUNTIME_IDS, type ExecutorKind } from '../schemas/vocabulary.js'
import type { Runtimes } from '../runtimes/runtimes.js'
import { cells, runsPerCell } from '../schemas/cells.js'
import type { FieldError } from '../schemas/common.js'
import type { JobSpec, JobSubmit, SpecDefaults } from '../schemas/job.js'
import { getWorkload, resolveParams } from '../workloads/index.js'
import { getPreset, presets } from './presets.js'
import { INTERVAL_MIN_N } from '../stats/descriptive.js'

export type SpecResult = { ok: true, spec: JobSpec } | { ok: false, details: FieldError[] }

/**
 * What a submitted spec gets for each field it leaves out, on a host with `cores` usable cores, and
 * the configured caps (GET /api/spec/defaults). `tasks` is for the default sweep: a spec that names
 * its workers gets max(16, 4 × its largest worker count), capped at MAX_TASKS.
 */
export function specDefaults (config: Config, cores: number): SpecDefaults {
  const workers = defaultWorkers(cores)
  return {
    runtimes: ['node'],
    executors: [...EXECUTOR_KINDS],
    workers,
    tasks: defaultTasks(config, workers),
    repetitions: INTERVAL_MIN_N,
    warmup: 1,
    taskTimeoutMs: config.DEFAULT_TASK_TIMEOUT_MS,
    limits: { tasks: config.MAX_TASKS, workers: workersCap(config, cores), repetitions: config.MAX_REPETITIONS, warmup: config.MAX_WARMUP, taskTimeoutMs: config.MAX_TASK_TIMEOUT_MS }
  }
}

function defaultTasks (config: Config, workers: readonly number[]): number {
  return Math.min(config.MAX_TASKS, Math.max(16, 4 * (workers.at(-1) as number)))
}

/** The sweep DESIGN.md §4 asks for: powers of two below the core count, plus the core count. */
export function defaultWorkers (cores: number): number[] {
  const out: number[] = []
  for (let w = 1; w < cores; w *= 2) out.push(w)
  out.push(cores)
  return out
}

/**
 * Applies the preset (if any), then defaults, then every limit. A refusal names the field, the value
 * and the limit, so the client knows exactly what to change.
 */
export function resolveSpec (input: JobSubmit, config: Config, cores: number, runtimes: Runtimes): SpecResult {
  let base: JobSubmit = {}
  if (input.preset !== undefined) {
    const preset = getPreset(input.preset)
    if (preset === undefined) return fail('preset', input.preset, presets.map(p => p.id).join(', '), `preset: unknown preset ${JSON.stringify(input.preset)}; expected one of ${presets.map(p => p.id).join(', ')}`)
    base = preset.spec
  }
  const { preset: _preset, ...overrides } = input
  const merged: JobSubmit = { ...base, ...overrides }
  if (base.workload !== undefined && overrides.workload !== undefined && overrides.workload.id === base.workload.id) {
    merged.workload = { id: base.workload.id, params: { ...base.workload.params, ...overrides.workload.params } }
  }
  if (merged.workload === undefined) return fail('workload', undefined, null, 'workload: is required (or give a preset)')

  const params = resolveParams(merged.workload.id, merged.workload.params ?? {})
  // The workload's errors name `params.n`; in the request that field is `workload.params.n`.
  if (!params.ok) return { ok: false, details: params.errors.map(e => ({ field: `workload.${e.path}`, value: e.value, limit: e.limit ?? null, message: e.message })) }

  const defaults = specDefaults(config, cores)
  const wanted = merged.runtimes ?? defaults.runtimes
  for (const id of wanted) {
    const rt = runtimes.get(id)
    if (rt === undefined || !rt.available) return fail('runtimes', id, null, `runtimes: ${id} is not available on this host: ${rt?.reason ?? 'unknown runtime'} (GET /api/host lists the runtimes)`)
    if (!rt.workloads.includes(merged.workload.id)) return fail('runtimes', id, rt.workloads.join(', '), `runtimes: ${id} cannot run workload ${merged.workload.id} (it runs ${rt.workloads.join(', ')})`)
  }

  const executors = merged.executors ?? defaults.executors
  const workers = [...(merged.workers ?? defaults.workers)].sort((a, b) => a - b)
  const cap = defaults.limits.workers
  const tooMany = workers.find(w => w > cap)
  if (tooMany !== undefined) {
    return fail(merged.workers === undefined ? 'workers' : `workers.${merged.workers.indexOf(tooMany)}`, tooMany, cap, `workers: ${tooMany} is above the limit ${cap} (the smaller of MAX_WORKERS ${config.MAX_WORKERS} and MAX_WORKERS_PER_CORE ${config.MAX_WORKERS_PER_CORE} × ${cores} cores)`)
  }
  const tasks = merged.tasks ?? defaultTasks(config, workers)
  const repetitions = merged.repetitions ?? defaults.repetitions
  const warmup = merged.warmup ?? defaults.warmup
  const taskTimeoutMs = merged.taskTimeoutMs ?? defaults.taskTimeoutMs
  const checks: Array<['tasks' | 'repetitions' | 'warmup' | 'taskTimeoutMs', number]> = [['tasks', tasks], ['repetitions', repetitions], ['warmup', warmup], ['taskTimeoutMs', taskTimeoutMs]]
  for (const [field, value] of checks) {
    const limit = defaults.limits[field]
    if (value > limit) return fail(field, value, limit, `${field}: ${value} is above the limit ${limit}`)
  }
  const spec: JobSpec = {
    name: merged.name ?? `${merged.workload.id} × ${tasks}`,
    workload: { id: merged.workload.id, params: params.params },
    tasks,
    runtimes: RUNTIME_IDS.filter(r => wanted.includes(r)),
    executors: [...executors].sort((a, b) => EXECUTOR_ORDER[a] - EXECUTOR_ORDER[b]),
    workers,
    repetitions,
    warmup,
    taskTimeoutMs,
    tags: merged.tags ?? {}
  }
  return checkWorkloadLimits(spec) ?? checkBudget(spec, config) ?? { ok: true, spec }
}

function checkWorkloadLimits (spec: JobSpec): SpecResult | undefined {
  // The shared counter is one Int32: the sum of all increments must not wrap.
  if (getWorkload(spec.workload.id)?.sharedMemory === true) {
    const total = spec.tasks * Number(spec.workload.params.n)
    if (total > 2 ** 31 - 1) return fail('tasks', spec.tasks, Math.floor((2 ** 31 - 1) / Number(spec.workload.params.n)), `tasks × params.n: ${total} is above the limit ${2 ** 31 - 1} (the shared counter is a 32-bit integer)`)
  }
  return undefined
}

/**
 * What the job will cost at least, where that is known without running it: waits of I/O workloads.
 * The serialized cell alone waits tasks × ms per run. Everything else is enforced while running by
 * the job deadline.
 */
function checkBudget (spec: JobSpec, config: Config): SpecResult | undefined {
  const wait = Number(spec.workload.params.ms ?? spec.workload.params.delayMs ?? 0)
  if (wait === 0) return undefined
  const runs = runsPerCell(spec)
  const perRun = cells(spec).reduce((sum, c) => sum + wait * (c.executor === 'serialized' ? spec.tasks : Math.ceil(spec.tasks / (c.executor === 'async' ? spec.tasks : c.workers))), 0)
  const estimate = runs * perRun
  if (estimate > config.MAX_JOB_BUDGET_MS) {
    return fail('body', estimate, config.MAX_JOB_BUDGET_MS, `job budget: the waits alone take at least ${estimate} ms, above the limit MAX_JOB_BUDGET_MS ${config.MAX_JOB_BUDGET_MS}`)
  }
  return undefined
}

const EXECUTOR_ORDER: Record<ExecutorKind, number> = { serialized: 0, async: 1, threaded: 2, process: 3 }

/** Comparable jobs share this: what was measured, not what it was called or how often. */
export function specHash (spec: JobSpec): string {
  // Node alone is left out of the hash, so that jobs from before the runtime axis keep theirs.
  const runtimes = spec.runtimes.length === 1 && spec.runtimes[0] === 'node' ? undefined : spec.runtimes
  const canonical = canonicalJson({ workload: spec.workload.id, params: spec.workload.params, tasks: spec.tasks, executors: spec.executors, workers: spec.workers, ...(runtimes === undefined ? {} : { runtimes }) })
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16)
}

function canonicalJson (v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map(k => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`
  }
  return JSON.stringify(v)
}

/** Reasons the numbers of this spec on this host will be weak (shown with the job, not refused). */
export function specWarnings (spec: JobSpec, cores: number, topology?: { usablePhysicalCores: number | null }): string[] {
  const warnings: string[] = []
  // Waits overlap whatever the core count, so these two only matter for work that needs a core.
  const pools = spec.executors.some(e => e === 'threaded' || e === 'process') && getWorkload(spec.workload.id)?.kind !== 'io'
  const maxWorkers = spec.workers.at(-1) as number
  if (pools && spec.tasks < 4 * maxWorkers) {
    warnings.push(`tasks (${spec.tasks}) < 4 × workers (${maxWorkers}): with few tasks per worker the last tasks run on a partly idle pool and speedups read low`)
  }
  if (pools && topology !== undefined) warnings.push(...smtWarnings(maxWorkers, topology.usablePhysicalCores, cores))
  if (pools && maxWorkers > cores) warnings.push(`workers up to ${maxWorkers} on ${cores} cores: CPU-bound work cannot speed up past ${cores} workers`)
  if (spec.repetitions < INTERVAL_MIN_N) warnings.push(`only ${spec.repetitions} repetition(s): intervals, outlier flags and a 'same' verdict need ${INTERVAL_MIN_N}`)
  if (!spec.executors.includes('serialized')) warnings.push('no serialized cell: speedups and checksum verification need it')
  return warnings
}

function fail (field: string, value: unknown, limit: number | string | null, message: string): SpecResult {
  return { ok: false, details: [{ field, ...(value === undefined ? {} : { value }), limit, message }] }
}
