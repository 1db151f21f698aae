import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import type { MachineClaim } from '../store/types.js'
import { offlineSince } from './registry.js'
import type { WorkloadDescription } from '../schemas/workload.js'
import { resolveParams as resolveBuiltinParams, show, type ResolvedParams, type ParamError } from '../workloads/index.js'

/** A runner that has a package workload (GET /api/workloads `runners`). */
export interface WorkloadHolder { name: string, runnerId: string, version: string }

/**
 * One workload of the catalog: the description of its newest version (the one the most recently
 * started runner loaded), every version a live runner has, and which runners those are. Built-ins
 * come from corebench's own code; package workloads only from what runners published.
 */
export interface CatalogEntry {
  description: WorkloadDescription
  builtin: boolean
  /** Every version some live runner has (one for a built-in: corebench's). */
  versions: string[]
  /** Live runners that loaded it (empty for a built-in: every runner has those). */
  runners: WorkloadHolder[]
  /** Whether some live runner can run it; false when runners only listed it as unavailable. */
  available: boolean
  /** Why not (WORKLOADS_STRICT=false runners say why they skipped it); null when available. */
  reason: string | null
  /** Runtime ids (python-nogil included) of the live runners that have it; empty for a built-in (the API's own runtimes say). */
  runtimes: string[]
}

/**
 * The API's view of what can be run: the built-ins plus the descriptions registered runners
 * published with their machine claims. Nothing here imports a workload package: params of a package
 * workload are checked against the JSON Schema its runners published (Ajv), with the same messages
 * as the built-ins' (`params.n: 45 is above the maximum 40`).
 */
export class WorkloadSnapshot {
  readonly entries: ReadonlyMap<string, CatalogEntry>
  readonly #validators = new Map<string, ValidateFunction>()

  /** `schemas`: the params schema each published version (`id@version`) came with; versions may differ in params. */
  constructor (entries: CatalogEntry[], readonly takenAt: number, private readonly schemas: ReadonlyMap<string, unknown> = new Map()) {
    this.entries = new Map(entries.map(e => [e.description.id, e]))
  }

  get (id: string): CatalogEntry | undefined {
    return this.entries.get(id)
  }

  /**
   * Defaults filled and params validated without coercion, for a built-in by its TypeBox schema,
   * for a package workload by the schema of `version` (of its newest version when `version` is
   * undefined or not one a runner has: the caller refuses that pin). Unknown id or a
   * workload no live runner can run: one error on `workload.id`.
   */
  resolveParams (id: string, params: unknown, version?: string): ResolvedParams {
    const entry = this.entries.get(id)
    if (entry?.builtin === true) return resolveBuiltinParams(id, params)
    const known = [...this.entries.values()].filter(e => e.available).map(e => e.description.id)
    if (entry === undefined) return { ok: false, errors: [{ path: 'workload.id', message: `workload.id: unknown workload ${show(id)}; expected one of ${known.join(', ')}` }] }
    if (!entry.available) return { ok: false, errors: [{ path: 'workload.id', message: `workload.id: ${show(id)} is not available on any runner: ${entry.reason ?? 'no live runner has it'}` }] }
    if (params === undefined) params = {}
    if (typeof params !== 'object' || params === null || Array.isArray(params)) return { ok: false, errors: [{ path: 'params', message: `params: expected an object, got ${show(params)}` }] }
    const key = `${id}@${version !== undefined && this.schemas.has(`${id}@${version}`) ? version : entry.description.version}`
    const validate = this.#validator(key, this.schemas.get(key) ?? entry.description.params)
    // Ajv fills defaults in place: validate a copy of the request's object.
    const value = { ...params } as Record<string, unknown>
    if (validate(value)) return { ok: true, params: value }
    return { ok: false, errors: (validate.errors ?? []).map(paramError) }
  }

  #validator (key: string, schema: unknown): ValidateFunction {
    let v = this.#validators.get(key)
    if (v === undefined) {
      v = ajv.compile(schema as object)
      this.#validators.set(key, v)
    }
    return v
  }
}

// Like the body validator (src/plugins/validation.ts): no coercion, defaults filled, every error.
const ajv = new Ajv({ useDefaults: true, coerceTypes: false, removeAdditional: false, allErrors: true, verbose: true, strict: false })

/** An Ajv error in the built-ins' words (src/workloads/index.ts), path relative to the params object. */
function paramError (e: ErrorObject): ParamError {
  if (e.keyword === 'additionalProperties') {
    const key = String(e.params.additionalProperty)
    const allowed = Object.keys((e.parentSchema?.properties ?? {}) as object).join(', ')
    return { path: `params.${key}`, message: `params.${key}: unknown parameter (allowed: ${allowed})` }
  }
  const path = `params${e.instancePath.replaceAll('/', '.')}`
  const value = e.data
  const limit = e.params.limit as number
  switch (e.keyword) {
    case 'maximum': return { path, value, limit, message: `${path}: ${show(value)} is above the maximum ${limit}` }
    case 'minimum': return { path, value, limit, message: `${path}: ${show(value)} is below the minimum ${limit}` }
    case 'exclusiveMaximum': return { path, value, limit, message: `${path}: ${show(value)} must be below ${limit}` }
    case 'exclusiveMinimum': return { path, value, limit, message: `${path}: ${show(value)} must be above ${limit}` }
    case 'type': return { path, value: typeof value === 'object' ? undefined : value, message: `${path}: expected ${String(e.params.type)}, got ${typeof value === 'object' && value !== null ? (Array.isArray(value) ? 'an array' : 'an object') : show(value)}` }
    case 'enum': return { path, value, message: `${path}: expected one of ${(e.params.allowedValues as unknown[]).map(show).join(', ')}, got ${show(value)}` }
    case 'required': return { path: `params.${String(e.params.missingProperty)}`, message: `params.${String(e.params.missingProperty)}: is required` }
    default: return { path, value: typeof value === 'object' ? undefined : value, message: `${path}: ${e.message ?? 'is invalid'}, got ${show(value)}` }
  }
}

export interface CatalogOptions {
  /** The built-in catalog (corebench's own code), with source 'builtin' and corebench's version. */
  builtins: WorkloadDescription[]
  machines: () => Promise<MachineClaim[]>
  /** A claim whose heartbeat is older than this is a dead runner's (RUNNER_LEASE_MS). */
  leaseMs: number
  /** How old a snapshot may be before a request refreshes it (the "short poll"). */
  maxAgeMs: number
}

/**
 * Builds snapshots from the machine claims (one store query), lazily: a request refreshes a snapshot
 * older than `maxAgeMs`, and one that names an id or version the snapshot lacks refreshes it once
 * (concurrent ones share the query; the API's rate limit bounds them), so a runner that just
 * registered is seen at once.
 */
export class WorkloadCatalog {
  #snapshot: WorkloadSnapshot | undefined
  #pending: Promise<WorkloadSnapshot> | undefined

  constructor (readonly opts: CatalogOptions) {}

  async current (wanted?: { id: string, version?: string }): Promise<WorkloadSnapshot> {
    const now = Date.now()
    let s = this.#snapshot
    if (s === undefined || now - s.takenAt > this.opts.maxAgeMs) s = await this.refresh()
    if (wanted !== undefined && !has(s, wanted) && s.takenAt < now) s = await this.refresh()
    return s
  }

  async refresh (): Promise<WorkloadSnapshot> {
    // Concurrent requests share one query.
    this.#pending ??= this.#build().finally(() => { this.#pending = undefined })
    this.#snapshot = await this.#pending
    return this.#snapshot
  }

  async #build (): Promise<WorkloadSnapshot> {
    const now = new Date()
    const live = (await this.opts.machines())
      .filter(c => offlineSince(c, this.opts.leaseMs, now) === null)
      .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())
    const entries = new Map<string, CatalogEntry>()
    for (const d of this.opts.builtins) {
      entries.set(d.id, { description: d, builtin: true, versions: [d.version], runners: [], available: true, reason: null, runtimes: [] })
    }
    // Every runner of one version hashed the same files, hence published the same schema.
    const schemas = new Map<string, unknown>()
    for (const claim of live) {
      for (const d of claim.workloads.loaded) {
        if (d.source === 'builtin' || entries.get(d.id)?.builtin === true) continue
        schemas.set(`${d.id}@${d.version}`, d.params)
        const e = entries.get(d.id) ?? { description: d, builtin: false, versions: [], runners: [], available: true, reason: null, runtimes: [] }
        // Newest runner first: the first description seen stays the entry's.
        if (e.available === false) Object.assign(e, { description: d, available: true, reason: null })
        if (!e.versions.includes(d.version)) e.versions.push(d.version)
        e.runners.push({ name: claim.name, runnerId: claim.runnerId, version: d.version })
        for (const r of claim.runtimes) if (d.runtimes.some(x => r.startsWith(x)) && !e.runtimes.includes(r)) e.runtimes.push(r)
        entries.set(d.id, e)
      }
    }
    for (const claim of live) {
      for (const u of claim.workloads.unavailable) {
        if (u.id === null || entries.has(u.id)) continue
        entries.set(u.id, { description: unavailableDescription(u.id, u.source), builtin: false, versions: [], runners: [], available: false, reason: `${claim.name}: ${u.reason}`, runtimes: [] })
      }
    }
    return new WorkloadSnapshot([...entries.values()], Date.now(), schemas)
  }
}

function has (s: WorkloadSnapshot, wanted: { id: string, version?: string }): boolean {
  const e = s.get(wanted.id)
  return e !== undefined && e.available && (wanted.version === undefined || e.versions.includes(wanted.version))
}

/** What the catalog shows for a workload that runners only failed to load. */
function unavailableDescription (id: string, source: string): WorkloadDescription {
  return { id, kind: 'cpu', description: '', params: { type: 'object', properties: {} }, defaults: {}, sharedMemory: false, version: '', source, deterministic: true, runtimes: [] }
}
