import { Type, type Static } from '@sinclair/typebox'
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
    available: Type.Boolean({ description: 'Whether this host has the runtime now (GET /api/host says why not)' })
  }), { description: 'Runtimes that run this workload with identical checksums' })
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
