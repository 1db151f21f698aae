import { Type, type Static } from '@sinclair/typebox'
import { Nullable } from './common.js'
import { JobSubmitSchema } from './job.js'

// GET /api/workloads and GET /api/presets (src/api/catalog.ts).

export const WorkloadSchema = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('cpu'), Type.Literal('io'), Type.Literal('memory'), Type.Literal('mixed')]),
  description: Type.String(),
  params: Type.Unknown({ description: 'JSON Schema of the params object (defaults and bounds)' }),
  defaults: Type.Record(Type.String(), Type.Unknown(), { description: 'The params a job gets when it names none' }),
  sharedMemory: Type.Boolean(),
  runtimes: Type.Array(Type.Object({
    id: Type.String(),
    available: Type.Boolean({ description: 'Built-in: whether this host has the runtime now (GET /api/host says why not). Package: whether a live runner with the workload has it' })
  }), { description: 'Runtimes that run this workload with identical checksums' }),
  source: Type.String({ description: "'builtin', or the WORKLOADS entry (directory or npm package name) a runner loaded it from" }),
  version: Type.String({ description: "Built-in: corebench's version. Package: package.json version + '+' + 12 hex of a sha256 over its module and Python twin (the newest runner's, when runners differ)" }),
  versions: Type.Array(Type.String(), { description: 'Every version a live runner has (pin one with workload.version)' }),
  deterministic: Type.Boolean({ description: 'false: checksums are not compared (verified is null)' }),
  runners: Type.Array(Type.Object({ name: Type.String(), runnerId: Type.String(), version: Type.String() }), { description: 'Package workloads: the live runners that loaded it, with their version (empty for built-ins: every runner has them)' }),
  available: Type.Boolean({ description: 'false: runners listed it as unavailable (WORKLOADS_STRICT=false) and none loaded it' }),
  reason: Nullable(Type.String({ description: 'Why it is unavailable: the runner and its one-line problem' }))
}, { $id: 'Workload' })

export const PresetSchema = Type.Object({ id: Type.String(), description: Type.String(), spec: Type.Ref(JobSubmitSchema) }, { $id: 'Preset' })

/**
 * The part of a workload's params JSON Schema (`Workload.params.properties[name]`) that the
 * dashboard's form reads; the schema itself is the workload's own (src/workloads).
 */
export interface ParamSchema {
  type?: string
  default?: unknown
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  multipleOf?: number
  enum?: unknown[]
  anyOf?: Array<{ const?: unknown, type?: string }>
  minLength?: number
  maxLength?: number
  description?: string
  title?: string
}

export type Workload = Omit<Static<typeof WorkloadSchema>, 'params'> & { params: { type?: string, properties?: Record<string, ParamSchema> } }
export type Preset = Static<typeof PresetSchema>
